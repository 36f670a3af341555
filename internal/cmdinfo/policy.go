package cmdinfo

import "fmt"

// RequestPolicy says where a Redis Cluster client sends a command, from the
// REQUEST_POLICY tip of the specification (COMMAND INFO's
// "request_policy:..." tip).
type RequestPolicy uint8

const (
	// RequestDefault: no tip. A command with keys goes to the shard of its
	// keys' slot (all keys must share it); a command without keys goes to
	// any one node.
	RequestDefault RequestPolicy = iota
	// RequestAllNodes (all_nodes): to every node, primaries and replicas
	// (CONFIG SET, SCRIPT LOAD).
	RequestAllNodes
	// RequestAllShards (all_shards): to every primary (DBSIZE, FLUSHALL,
	// KEYS, PING).
	RequestAllShards
	// RequestMultiShard (multi_shard): the keys may be split by slot, each
	// part sent to its shard (MGET, MSET, DEL, EXISTS).
	RequestMultiShard
	// RequestSpecial (special): the client needs command-specific handling
	// (SCAN's cursor, HOTKEYS). ParseCommandInfo also gives it for a policy
	// name it does not know, so such a command is never routed as a default
	// one by mistake.
	RequestSpecial
)

// requestNames are the tip values of the RequestPolicy constants, in order.
var requestNames = [...]string{"default", "all_nodes", "all_shards", "multi_shard", "special"}

// String returns the policy's name as in the tip, in lower case:
// "default", "all_nodes", "all_shards", "multi_shard" or "special".
func (p RequestPolicy) String() string {
	if int(p) < len(requestNames) {
		return requestNames[p]
	}
	return fmt.Sprintf("RequestPolicy(%d)", uint8(p))
}

// ResponsePolicy says how a Redis Cluster client merges the replies of a
// command sent to several nodes, from the RESPONSE_POLICY tip of the
// specification (COMMAND INFO's "response_policy:..." tip).
type ResponsePolicy uint8

const (
	// ResponseDefault: no tip. For a command sent to several shards by key
	// (RequestMultiShard without a tip, MGET) the replies are joined in the
	// order of the keys; for one sent to all nodes or shards without a tip
	// (KEYS) they are concatenated.
	ResponseDefault ResponsePolicy = iota
	// ResponseOneSucceeded (one_succeeded): success when any node succeeds
	// (SCRIPT KILL, FUNCTION KILL).
	ResponseOneSucceeded
	// ResponseAllSucceeded (all_succeeded): success when every node
	// succeeds; the reply of any (FLUSHALL, CONFIG SET, MSET).
	ResponseAllSucceeded
	// ResponseAggLogicalAnd (agg_logical_and): the integer or boolean
	// replies ANDed, element by element for arrays (SCRIPT EXISTS).
	ResponseAggLogicalAnd
	// ResponseAggLogicalOr (agg_logical_or): the replies ORed.
	ResponseAggLogicalOr
	// ResponseAggMin (agg_min): the smallest reply (WAIT, WAITAOF).
	ResponseAggMin
	// ResponseAggMax (agg_max): the largest reply.
	ResponseAggMax
	// ResponseAggSum (agg_sum): the sum of the replies (DBSIZE, DEL).
	ResponseAggSum
	// ResponseSpecial (special): command-specific merging (INFO, SCAN,
	// RANDOMKEY). ParseCommandInfo also gives it for a policy name it does
	// not know.
	ResponseSpecial
)

// responseNames are the tip values of the ResponsePolicy constants, in order.
var responseNames = [...]string{
	"default", "one_succeeded", "all_succeeded", "agg_logical_and", "agg_logical_or",
	"agg_min", "agg_max", "agg_sum", "special",
}

// String returns the policy's name as in the tip, in lower case: "default",
// "one_succeeded", "all_succeeded", "agg_logical_and", "agg_logical_or",
// "agg_min", "agg_max", "agg_sum" or "special".
func (p ResponsePolicy) String() string {
	if int(p) < len(responseNames) {
		return responseNames[p]
	}
	return fmt.Sprintf("ResponsePolicy(%d)", uint8(p))
}

// Nondeterminism says whether a command's reply may differ between two runs
// on the same data, from the NONDETERMINISTIC_OUTPUT and
// NONDETERMINISTIC_OUTPUT_ORDER tips. A test comparing replies, or a client
// comparing the replies of replicas, must not expect them to be equal.
type Nondeterminism uint8

const (
	// Deterministic: no tip; the same data gives the same reply.
	Deterministic Nondeterminism = iota
	// NondeterministicOrder (nondeterministic_output_order): the same
	// elements, in an order that may differ (KEYS, SMEMBERS, HGETALL).
	NondeterministicOrder
	// NondeterministicOutput (nondeterministic_output): the reply may differ
	// (RANDOMKEY, INFO, TIME, SCAN).
	NondeterministicOutput
)

// String returns "deterministic", "nondeterministic_output_order" or
// "nondeterministic_output".
func (n Nondeterminism) String() string {
	switch n {
	case Deterministic:
		return "deterministic"
	case NondeterministicOrder:
		return "nondeterministic_output_order"
	case NondeterministicOutput:
		return "nondeterministic_output"
	}
	return fmt.Sprintf("Nondeterminism(%d)", uint8(n))
}
