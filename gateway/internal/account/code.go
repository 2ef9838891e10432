package account

import "errors"

// Codes: every refusal the Service gives has a stable machine code beside
// its English sentence, and the values the sentence needs (Args), so that
// a client can show its own words for it in the player's language (the
// web pages look up "api."+code in the message catalogue, shared/i18n). A
// code never changes once shipped; a client that does not know one shows
// the English sentence.

// The codes of the Service's errors, as Code returns them.
const (
	CodeInvalidCredentials     = "invalid_credentials"      // ErrInvalidCredentials
	CodeUnauthenticated        = "unauthenticated"          // ErrUnauthenticated
	CodeSessionExpired         = "session_expired"          // ErrSessionExpired
	CodeSessionEnded           = "session_ended"            // ErrSessionEnded
	CodeRateLimited            = "rate_limited"             // ErrRateLimited; args: n, seconds to wait
	CodeLocked                 = "locked"                   // ErrLocked; args: n, seconds to wait
	CodeBusy                   = "busy"                     // ErrBusy
	CodeDisabled               = "disabled"                 // ErrDisabled
	CodeNameTaken              = "name_taken"               // ErrNameTaken
	CodeInvalidName            = "invalid_name"             // ErrInvalidName without a NameError's own code
	CodeWeakPassword           = "weak_password"            // ErrWeakPassword (the problems say which rules)
	CodeRegistrationClosed     = "registration_closed"      // ErrRegistrationClosed
	CodeGuestsDisabled         = "guests_disabled"          // ErrGuestsDisabled
	CodeGuestSettings          = "guest_settings"           // ErrGuestSettings
	CodeForbidden              = "forbidden"                // ErrForbidden
	CodeNotFound               = "not_found"                // ErrNotFound
	CodeLastSuperuser          = "last_superuser"           // ErrLastSuperuser
	CodeInvalidSetupToken      = "invalid_setup_token"      // ErrInvalidSetupToken
	CodeSetupDone              = "setup_done"               // ErrSetupDone
	CodeInvalidResetLink       = "invalid_reset_link"       // ErrInvalidResetLink
	CodeUnavailable            = "unavailable"              // ErrUnavailable
	CodeVersionConflict        = "version_conflict"         // ErrVersionConflict
	CodeSettingsTooLarge       = "settings_too_large"       // ErrSettingsTooLarge; args: max_kib
	CodeInvalidSettings        = "invalid_settings"         // ErrInvalidSettings
	CodeInvalidSettingsVersion = "invalid_settings_version" // ErrInvalidSettingsVersion
	CodeInternal               = "internal"                 // anything else: a generic sentence, the detail in the log
)

// The codes of a *NameError, one per rule ValidateName checks. They all
// start with "name_", which tells a form the problem is the name's.
const (
	NameLength   = "name_length"   // args: min, max
	NameChars    = "name_chars"    // only letters A to Z and digits
	NameStart    = "name_start"    // starts with a letter
	NameReserved = "name_reserved" // reserved for staff or the system
)

// known is the table of the Service's sentinel errors and their codes,
// most specific first (ErrSessionExpired before ErrUnauthenticated,
// ErrGuestSettings before ErrForbidden), for Code and Message.
func known() []struct {
	err  error
	code string
} {
	return []struct {
		err  error
		code string
	}{
		{ErrInvalidCredentials, CodeInvalidCredentials},
		{ErrSessionExpired, CodeSessionExpired},
		{ErrSessionEnded, CodeSessionEnded},
		{ErrUnauthenticated, CodeUnauthenticated},
		{ErrRateLimited, CodeRateLimited},
		{ErrLocked, CodeLocked},
		{ErrBusy, CodeBusy},
		{ErrDisabled, CodeDisabled},
		{ErrNameTaken, CodeNameTaken},
		{ErrInvalidName, CodeInvalidName},
		{ErrWeakPassword, CodeWeakPassword},
		{ErrRegistrationClosed, CodeRegistrationClosed},
		{ErrGuestsDisabled, CodeGuestsDisabled},
		{ErrGuestSettings, CodeGuestSettings},
		{ErrVersionConflict, CodeVersionConflict},
		{ErrSettingsTooLarge, CodeSettingsTooLarge},
		{ErrInvalidSettings, CodeInvalidSettings},
		{ErrInvalidSettingsVersion, CodeInvalidSettingsVersion},
		{ErrForbidden, CodeForbidden},
		{ErrNotFound, CodeNotFound},
		{ErrLastSuperuser, CodeLastSuperuser},
		{ErrInvalidSetupToken, CodeInvalidSetupToken},
		{ErrSetupDone, CodeSetupDone},
		{ErrInvalidResetLink, CodeInvalidResetLink},
		{ErrUnavailable, CodeUnavailable},
	}
}

// ErrorCodes returns every code Code can return, for clients and tests
// that check they have words for each.
func ErrorCodes() []string {
	out := []string{}
	for _, k := range known() {
		out = append(out, k.code)
	}
	return append(out, CodeInternal)
}

// ProblemCodes returns every code a Problem can carry: the password
// policy's and a NameError's (which the web layer lists among the
// problems of a refused registration).
func ProblemCodes() []string {
	return []string{
		ProblemTooShort, ProblemTooLong, ProblemEncoding, ProblemControl, ProblemCommon,
		ProblemSequence, ProblemRepeated, ProblemName, ProblemWord, ProblemComposition,
		NameLength, NameChars, NameStart, NameReserved,
	}
}

// Code returns the stable code of an error the Service returned: a
// NameError's own code, the code of the sentinel it matches, or
// CodeInternal for anything else. For errors joined (a registration's
// name and password problems) it is the first one's; "" for nil.
func Code(err error) string {
	if err == nil {
		return ""
	}
	if first := firstJoined(err); first != nil {
		return Code(first)
	}
	var ne *NameError
	if errors.As(err, &ne) && ne.Code != "" {
		return ne.Code
	}
	for _, k := range known() {
		if errors.Is(err, k.err) {
			return k.code
		}
	}
	return CodeInternal
}

// Args returns the values the sentence of Code(err) needs, or nil: the
// wait of a *LimitError in whole seconds (n, as a count a plural form is
// chosen by), a NameError's Args, the bound of ErrSettingsTooLarge.
func Args(err error) map[string]any {
	if first := firstJoined(err); first != nil {
		return Args(first)
	}
	var (
		le *LimitError
		ne *NameError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &le):
		return map[string]any{"n": le.RetryAfterSeconds()}
	case errors.As(err, &ne):
		return ne.Args
	case errors.Is(err, ErrSettingsTooLarge):
		return map[string]any{"max_kib": MaxSettingsBytes >> 10}
	}
	return nil
}

// firstJoined returns the first error of an errors.Join, or nil if err
// is not one.
func firstJoined(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if e != nil {
				return e
			}
		}
	}
	return nil
}
