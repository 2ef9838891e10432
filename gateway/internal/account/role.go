package account

import "fmt"

// Role is what an account may do. Roles are ordered: each has every
// permission of the ones below it. The zero Role is invalid, so a
// forgotten field never grants anything.
type Role uint8

// The roles, lowest first.
const (
	// RolePlayer plays the game. Every account, and every guest, has at
	// least this.
	RolePlayer Role = iota + 1
	// RoleBuilder may also build in the game (the game decides what that
	// means; the gateway forwards the role).
	RoleBuilder
	// RoleAdmin may also manage players: list accounts, sessions and the
	// audit log, disable, enable, delete and reset players and builders,
	// revoke their sessions, and give them any role below admin.
	RoleAdmin
	// RoleSuperuser may do everything, including managing admins and
	// other superusers. There is always at least one once set up.
	RoleSuperuser
)

// String returns the role's name as stored and configured: "player",
// "builder", "admin" or "superuser".
func (r Role) String() string {
	switch r {
	case RolePlayer:
		return "player"
	case RoleBuilder:
		return "builder"
	case RoleAdmin:
		return "admin"
	case RoleSuperuser:
		return "superuser"
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool { return r >= RolePlayer && r <= RoleSuperuser }

// AtLeast reports whether r is min or a higher role. An invalid role is
// never at least anything.
func (r Role) AtLeast(min Role) bool { return r.Valid() && min.Valid() && r >= min }

// ParseRole reads a role's name as String writes it.
func ParseRole(s string) (Role, error) {
	for r := RolePlayer; r <= RoleSuperuser; r++ {
		if s == r.String() {
			return r, nil
		}
	}
	return 0, fmt.Errorf("unknown role %q (want player, builder, admin or superuser)", s)
}

// MarshalText writes the role's name, for JSON and TOML.
func (r Role) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, fmt.Errorf("marshal %v: invalid role", r)
	}
	return []byte(r.String()), nil
}

// UnmarshalText reads a role's name, for JSON and TOML.
func (r *Role) UnmarshalText(b []byte) error {
	v, err := ParseRole(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Permission names something a role allows, so callers ask for what they
// need ("may this user administer?") rather than compare roles.
type Permission uint8

// The permissions, each with the lowest role that has it.
const (
	// PermPlay: connect to the game. Player and up.
	PermPlay Permission = iota + 1
	// PermBuild: building commands in the game. Builder and up.
	PermBuild
	// PermAdminister: the admin pages and commands for players and
	// builders. Admin and up.
	PermAdminister
	// PermManageStaff: grant and revoke admin and superuser, act on
	// admins and superusers, import accounts. Superuser only.
	PermManageStaff
)

// MinRole is the lowest role with permission p (0 for an unknown p).
func (p Permission) MinRole() Role {
	switch p {
	case PermPlay:
		return RolePlayer
	case PermBuild:
		return RoleBuilder
	case PermAdminister:
		return RoleAdmin
	case PermManageStaff:
		return RoleSuperuser
	}
	return 0
}

// String names the permission for logs.
func (p Permission) String() string {
	switch p {
	case PermPlay:
		return "play"
	case PermBuild:
		return "build"
	case PermAdminister:
		return "administer"
	case PermManageStaff:
		return "manage staff"
	}
	return fmt.Sprintf("Permission(%d)", uint8(p))
}

// Can reports whether role r has permission p.
func (r Role) Can(p Permission) bool { return r.AtLeast(p.MinRole()) }

// CanBuild is r.Can(PermBuild).
func (r Role) CanBuild() bool { return r.Can(PermBuild) }

// CanAdminister is r.Can(PermAdminister): may use the admin pages.
func (r Role) CanAdminister() bool { return r.Can(PermAdminister) }

// CanManageStaff is r.Can(PermManageStaff).
func (r Role) CanManageStaff() bool { return r.Can(PermManageStaff) }

// canActOn reports whether an actor with role actor may change an account
// with role target (disable, delete, reset, revoke, change its role): an
// admin acts on roles below admin, a superuser on everyone.
func canActOn(actor, target Role) bool {
	if actor.AtLeast(RoleSuperuser) {
		return true
	}
	return actor.CanAdminister() && target < RoleAdmin
}

// canGrant reports whether an actor with role actor may give role to
// someone: an admin gives roles below admin, a superuser any role.
func canGrant(actor, role Role) bool {
	if !role.Valid() {
		return false
	}
	return canActOn(actor, role)
}
