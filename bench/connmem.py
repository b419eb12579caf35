"""Holds N connections open to a server on 127.0.0.1 for bench/connmem.sh.

usage: connmem.py PORT N idle|half SECONDS
  idle: each connection sends a whole GET, reads the response head, then sits idle
        (a browser's keep-alive connection);
  half: each sends half a request head and nothing more (a slow or hostile client).
Prints "ready" once all N are in that state, then holds them for SECONDS.
"""
import socket
import sys
import time


def main():
    port, count, mode, hold = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    conns = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(head + b"\r\n" if mode == "idle" else head + b"X-Slow: " + b"a" * 100)
        conns.append(s)
    if mode == "idle":
        for s in conns:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    sys.exit("connmem.py: the server closed a keep-alive connection")
                data += chunk
    print("ready", flush=True)
    time.sleep(hold)


if __name__ == "__main__":
    main()
