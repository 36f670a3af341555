package main

// The transaction commands change the state of their connection, so they
// are methods on *Conn (Client.Conn reserves one).
func init() {
	register("transactions",
		API{Cmd: "MULTI", Method: "Multi", On: "conn",
			Doc: "Until Exec or Discard, the server queues the connection's commands instead of running them, and replies QUEUED to each."},
		API{Cmd: "EXEC", Method: "Exec", On: "conn", Result: "[]Result", Decode: "asExec",
			Returns: "one Result per queued command, in order (a command that failed while running has a Result whose Err is its error)",
			Doc:     "When a key watched with Watch was changed, nothing ran and Exec returns ErrTxFailed. When a command was refused while being queued, the server discarded the transaction and Exec returns an EXECABORT error (errors.Is(err, ErrExecAbort)). Either way the watched keys are cleared."},
		API{Cmd: "DISCARD", Method: "Discard", On: "conn",
			Doc: "It drops the queued commands, ends the transaction and clears the watched keys."},
		API{Cmd: "WATCH", Method: "Watch", On: "conn",
			Doc: "If any of the keys is changed by another client before Exec, the transaction does not run and Exec returns ErrTxFailed."},
		API{Cmd: "UNWATCH", Method: "Unwatch", On: "conn",
			Doc: "It forgets the keys watched by the connection."},
	)
}
