#!/usr/bin/python3
"""Call an instrument on a pms gateway from Python, with CURVE keys.

The gateway (`pms gateway`, src/gateway/) speaks the messages of
proto/gateway.proto on a ZeroMQ ROUTER. This client sends one request from a
DEALER, waits for its reply and prints the result, or the error's kind and
message (exit status 1), then releases the instrument (which the gateway
makes safe: a one-shot client holds nothing after it). It uses Debian's python3-zmq and python3-protobuf;
the message code comes from protoc (protobuf-compiler):

    protoc -I proto --python_out=examples/python proto/gateway.proto
    pms keys new alice && cat alice.pub >> allowed.txt     # the gateway allows alice
    /usr/bin/python3 examples/python/gateway_call.py --connect tcp://optics-pc:5555 \\
        --keys alice.key --server-key gateway.pub smu1 SourceMeter.read

Arguments after the method are JSON values: numbers, true/false, "text",
lists of numbers, or objects (a method's options), e.g.
    ... smu1 SourceMeter.rampTo 0.5 '{"step": 0.05}'
Without --keys the client connects in plain mode, which a gateway accepts
only when started with --insecure.
"""
import argparse
import json
import sys

import zmq

import gateway_pb2 as pb

PROTOCOL_VERSION = 1


def to_value(value, out):
    """A JSON value into a pms.v1.GatewayValue."""
    if value is None:
        return
    if isinstance(value, bool):
        out.flag = value
    elif isinstance(value, (int, float)):
        out.number = float(value)
    elif isinstance(value, str):
        out.text = value
    elif isinstance(value, list):
        out.numbers.values.extend(float(v) for v in value)
    elif isinstance(value, dict):
        for name, field in value.items():
            to_value(field, out.record.fields[name])
    else:
        raise TypeError(f"{value!r} has no gateway form")


def from_value(value):
    """A pms.v1.GatewayValue as a Python value."""
    kind = value.WhichOneof("kind")
    if kind == "numbers":
        return list(value.numbers.values)
    if kind == "record":
        return {name: from_value(field) for name, field in value.record.fields.items()}
    return getattr(value, kind) if kind else None


def server_key(path_or_key):
    """The gateway's public key: a .pub file's first key, or the 40-character key itself."""
    try:
        with open(path_or_key, encoding="utf-8") as f:
            for line in f:
                words = line.split()
                if words and len(words[0]) == 40:
                    return words[0]
    except FileNotFoundError:
        if len(path_or_key) == 40:
            return path_or_key
        raise
    raise ValueError(f"{path_or_key}: no public key in it")


def release(socket, options):
    """Gives the instrument back: the call took it for this client, and a one-shot client holds it no longer.

    The gateway makes it safe (for a source: ramped to zero, output off)."""
    request = pb.GatewayRequest(
        version=PROTOCOL_VERSION,
        correlation_id=2,
        client=options.client,
        instrument=options.instrument,
        deadline_ms=options.timeout * 1000,
        release=True,
    )
    socket.send(request.SerializeToString())
    if socket.poll(int(options.timeout * 1000)):
        socket.recv_multipart()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connect", required=True, help="the gateway's endpoint, e.g. tcp://127.0.0.1:5555")
    parser.add_argument("--keys", help="this client's key pair (JSON from `pms keys new`)")
    parser.add_argument("--server-key", help="the gateway's .pub file (or its key)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the reply")
    parser.add_argument("--client", default="python example", help="how the gateway shows this client")
    parser.add_argument("instrument")
    parser.add_argument("method", help='e.g. SourceMeter.read, SourceMeter.outputEnabled.set')
    parser.add_argument("args", nargs="*", help="JSON values")
    options = parser.parse_args()

    socket = zmq.Context.instance().socket(zmq.DEALER)
    socket.linger = 0
    if options.keys:
        with open(options.keys, encoding="utf-8") as f:
            pair = json.load(f)
        socket.curve_publickey = pair["publicKey"].encode()
        socket.curve_secretkey = pair["secretKey"].encode()
        socket.curve_serverkey = server_key(options.server_key).encode()
    socket.connect(options.connect)

    request = pb.GatewayRequest(
        version=PROTOCOL_VERSION,
        correlation_id=1,
        client=options.client,
        instrument=options.instrument,
        deadline_ms=options.timeout * 1000,
    )
    request.call.method = options.method
    for arg in options.args:
        to_value(json.loads(arg), request.call.args.add())
    socket.send(request.SerializeToString())

    if not socket.poll(int(options.timeout * 1000)):
        print(f"no reply from {options.connect} within {options.timeout} s "
              "(is the gateway running, and this client's key on its allowlist?)", file=sys.stderr)
        return 1
    reply = pb.GatewayReply.FromString(socket.recv_multipart()[-1])
    release(socket, options)
    if reply.version != PROTOCOL_VERSION:
        print(f"the gateway speaks protocol version {reply.version}, this client {PROTOCOL_VERSION}", file=sys.stderr)
        return 1
    if reply.WhichOneof("outcome") == "error":
        kind = pb.GatewayErrorKind.Name(reply.error.kind).removeprefix("GATEWAY_ERROR_KIND_")
        print(f"{kind}: {reply.error.message}", file=sys.stderr)
        return 1
    print(json.dumps(from_value(reply.result)))
    for exchange in reply.exchanges:
        print(f"  {exchange.command!r} -> {exchange.reply!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
