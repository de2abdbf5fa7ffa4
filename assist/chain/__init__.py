"""The outbound chain every driver hands its calls' events to (see
:mod:`assist.chain.sink` for the sink interface and
:mod:`assist.chain.chain` for the chain)."""
