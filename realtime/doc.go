// Package realtime delivers FamilyHub's events to devices: one LISTEN
// connection per replica (pgxlisten) receives the NOTIFYs that the database
// triggers send, catches up from the event log after any gap, and fans each
// event out to the WebSocket, SSE and long-poll clients of that family on
// this replica. See docs/realtime.md.
package realtime
