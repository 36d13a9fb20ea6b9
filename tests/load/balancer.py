"""A small round-robin TCP balancer, standing for the reverse proxy in front of several Odoo hosts (issue 12).

Each accepted connection goes to the next backend in turn and its bytes are copied both ways by two threads.
An XML-RPC client with a fresh connection per call thus spreads its calls evenly over the servers; a
connection is never split, so HTTP keep-alive stays on one server (no stickiness is needed by Odoo, whose
sessions live in the shared filestore or the database).
"""

import itertools
import socket
import threading
from collections import Counter


class Balancer:
    """``Balancer([(host, port), ...])``; ``.port`` is where clients connect; ``.served`` counts connections
    per backend; ``close()`` stops accepting (open connections finish on their own)."""

    def __init__(self, backends, host="127.0.0.1"):
        self.backends = list(backends)
        self._next = itertools.cycle(range(len(self.backends)))
        self._lock = threading.Lock()
        self.served = Counter()
        self.failed = 0
        self._listener = socket.create_server((host, 0), backlog=128)
        self.host, self.port = host, self._listener.getsockname()[1]
        self.url = "http://%s:%d" % (host, self.port)
        self._closed = False
        threading.Thread(target=self._accept, name="balancer", daemon=True).start()

    def _pick(self):
        with self._lock:
            index = next(self._next)
            self.served[index] += 1
            return self.backends[index]

    def _accept(self):
        while not self._closed:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        try:
            upstream = socket.create_connection(self._pick(), timeout=600)
        except OSError:
            with self._lock:
                self.failed += 1
            client.close()
            return
        for sock in (client, upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        back = threading.Thread(target=self._pipe, args=(upstream, client), daemon=True)
        back.start()
        self._pipe(client, upstream)
        back.join()
        client.close()
        upstream.close()

    @staticmethod
    def _pipe(source, target):
        """Copy ``source`` to ``target`` until ``source`` ends, then end ``target``'s writing side."""
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        try:
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        self._closed = True
        self._listener.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
