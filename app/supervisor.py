"""Several uvicorn workers under one parent (`minbil serve --workers N`), with a shutdown that refuses new
connections at once.

uvicorn's parent binds the listening socket and hands it to the workers; on SIGTERM it stops the workers but
keeps its own copy open until they have exited. Meanwhile the kernel goes on accepting connections that no
worker will serve: they hang for the whole shutdown grace and then break, where a refusal would have sent the
client (or the proxy) to another instance straight away.
"""

from __future__ import annotations

from uvicorn.supervisors import Multiprocess


class Supervisor(Multiprocess):
    def terminate_all(self) -> None:
        for sock in self.sockets:  # the workers close their copies when they begin to shut down
            sock.close()
        super().terminate_all()
