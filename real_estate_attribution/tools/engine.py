def engine_writes(env, flag="attribution_engine"):
    """True when the ownership engine itself writes: under sudo, with its context flag.

    The flag alone proves nothing: any XML-RPC caller may put a key in the
    context. The engine always writes as superuser, which no caller can be.
    """
    return env.su and bool(env.context.get(flag))
