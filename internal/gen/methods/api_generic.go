package main

func init() {
	register("generic",
		API{Cmd: "DEL", Method: "Del", Result: "int64", Returns: "how many of the keys existed and were removed"},
	)
}
