"""Events: the outbox event types and payloads (`envelope`), presence, realtime connections and config, and
the ports of realtime delivery. The relay and the streams run in `app.realtime`."""
