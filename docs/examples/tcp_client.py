#!/usr/bin/env python3
"""A small MCP client for the TCP transport, with nothing but the Python standard library.

    dist/bin/mcp-server &
    python3 docs/examples/tcp_client.py                          # list the tools
    python3 docs/examples/tcp_client.py echo '{"text": "hi"}'    # call one
    python3 docs/examples/tcp_client.py slow_count '{"count": 5}' --port 9000

The wire format is newline-delimited JSON-RPC 2.0: one message per line each way. The client does the
MCP handshake (initialize, then notifications/initialized), then sends requests and reads lines until
the response with the matching id arrives, printing the notifications (progress, logs) it sees on the way.
Add --tls (and --cafile FILE for a self-signed server certificate) when transports.tcp.tls is enabled.
"""
import argparse
import itertools
import json
import socket
import ssl
import sys


class McpTcpClient:
    def __init__(self, host, port, tls=False, cafile=None):
        sock = socket.create_connection((host, port), timeout=60)
        if tls:
            context = ssl.create_default_context(cafile=cafile)
            sock = context.wrap_socket(sock, server_hostname=host)
        self.sock = sock
        self.lines = sock.makefile("r", encoding="utf-8", newline="\n")
        self.ids = itertools.count(1)

    def send(self, message):
        self.sock.sendall((json.dumps(message) + "\n").encode("utf-8"))

    def request(self, method, params=None, on_notification=print):
        request_id = next(self.ids)
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        for line in self.lines:
            reply = json.loads(line)
            if reply.get("id") == request_id and "method" not in reply:
                if "error" in reply:
                    raise RuntimeError(f"{method} failed: {reply['error']['message']} ({reply['error']['code']})")
                return reply["result"]
            on_notification(reply)
        raise ConnectionError("the server closed the connection")

    def initialize(self):
        result = self.request("initialize", {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "tcp_client.py", "version": "1.0"},
        })
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return result

    def close(self):
        self.sock.close()


def show_notification(message):
    method = message.get("method", "?")
    params = message.get("params", {})
    if method == "notifications/progress":
        print(f"  progress {params.get('progress')}/{params.get('total')}: {params.get('message', '')}")
    elif method == "notifications/message":
        print(f"  log [{params.get('level')}] {params.get('data')}")
    else:
        print(f"  {method} {json.dumps(params)}")


def main():
    parser = argparse.ArgumentParser(description="Call MCP tools over the server's TCP transport.")
    parser.add_argument("tool", nargs="?", help="tool to call; without it, list the tools")
    parser.add_argument("arguments", nargs="?", default="{}", help="the tool's arguments as a JSON object")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--tls", action="store_true", help="connect with TLS")
    parser.add_argument("--cafile", help="PEM file of the CA (or self-signed certificate) to trust")
    args = parser.parse_args()

    client = McpTcpClient(args.host, args.port, args.tls, args.cafile)
    try:
        info = client.initialize()
        server = info["serverInfo"]
        print(f"connected to {server['name']} {server.get('version', '')} (protocol {info['protocolVersion']})")
        if not args.tool:
            for tool in client.request("tools/list", {})["tools"]:
                print(f"  {tool['name']}: {tool.get('description', '')}")
            return 0
        params = {"name": args.tool, "arguments": json.loads(args.arguments), "_meta": {"progressToken": "cli"}}
        result = client.request("tools/call", params, on_notification=show_notification)
        for item in result.get("content", []):
            print(item["text"] if item.get("type") == "text" else json.dumps(item))
        return 1 if result.get("isError") else 0
    finally:
        client.close()


if __name__ == "__main__":
    sys.exit(main())
