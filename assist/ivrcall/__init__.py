"""The IVR in front of the agents: menu calls from any telephony line,
fast-tracked to a person when anger rises, handed to a seat with context."""
