"""Running calls: the feed loop (:mod:`assist.calls.feed`) and the call
runner every live driver starts its calls with (:mod:`assist.calls.runner`)."""
