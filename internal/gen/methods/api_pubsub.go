package main

func init() {
	register("pubsub",
		API{Cmd: "PUBLISH", Method: "Publish", Result: "int64", Args: map[string]string{"message": "any"},
			Returns: "the number of subscribers that received the message (on a cluster: on the node that ran it)",
			Doc:     "message is a string, []byte, number, bool or encoding.BinaryMarshaler."},
		API{Cmd: "SPUBLISH", Method: "SPublish", Result: "int64", Args: map[string]string{"message": "any", "shardchannel": "key"},
			Names:   map[string]string{"shardchannel": "channel"},
			Returns: "the number of subscribers that received the message",
			Doc:     "message is a string, []byte, number, bool or encoding.BinaryMarshaler. The shard channel is sent as the command's key, so that on a cluster the message goes to the shard owning the channel's slot."},
		API{Cmd: "PUBSUB CHANNELS", Method: "PubSubChannels", Result: "[]string",
			Returns: "the channels with at least one subscriber (not counting pattern subscribers), matching Pattern when it is set"},
		API{Cmd: "PUBSUB HELP", Method: "PubSubHelp", Result: "[]string", Returns: "the server's help text, one line per element"},
		API{Cmd: "PUBSUB NUMPAT", Method: "PubSubNumPat", Result: "int64",
			Returns: "the number of patterns subscribed to, by all clients"},
		API{Cmd: "PUBSUB NUMSUB", Method: "PubSubNumSub", Manual: true, Params: "channels []string", Result: "map[string]int64", Decode: "asPubSubCounts",
			Returns: "the number of subscribers of each channel asked about (0 for a channel nobody subscribes to)"},
		API{Cmd: "PUBSUB SHARDCHANNELS", Method: "PubSubShardChannels", Result: "[]string",
			Returns: "the shard channels with at least one subscriber, matching Pattern when it is set"},
		API{Cmd: "PUBSUB SHARDNUMSUB", Method: "PubSubShardNumSub", Manual: true, Params: "channels []string", Result: "map[string]int64", Decode: "asPubSubCounts",
			Returns: "the number of subscribers of each shard channel asked about",
			Doc:     "The channels are sent as the command's keys: on a cluster they must all hash to one slot, whose shard answers."},
	)
}
