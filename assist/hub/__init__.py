"""The live hub: event bus and websocket server."""
