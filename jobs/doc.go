// Package jobs runs FamilyHub's background work (the daily task-instance
// generator, the shopping auto-categoriser, event-log pruning, CalDAV
// import) exactly once per occasion across all replicas, coordinated
// through PostgreSQL. See docs/jobs.md.
package jobs
