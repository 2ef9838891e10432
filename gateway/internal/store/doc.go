// Package store is where the implementations of account.Store live, one
// package each: store/sqlite, the embedded default for a gateway on one
// machine, and store/postgres, for several gateway nodes sharing one
// PostgreSQL database (with the notifications, locks and certificate
// cache a cluster needs). Both pass accounttest.StoreTest.
//
// This package holds no code: only tests that hold the two stores to
// each other (schema_test.go: the same migrations, tables and columns;
// service_test.go: the Service's guarantees on each), and the benchmarks
// that compare them through the account.Service (storebench_test.go),
// run with
//
//	go test -run '^$' -bench . ./gateway/internal/store/
package store
