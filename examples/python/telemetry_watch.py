#!/usr/bin/python3
"""Watch a pms gateway's telemetry from Python: print each SampleBatch.

A gateway started with --telemetry (`pms gateway`, src/gateway/telemetry.ts)
publishes every reading its calls take as a pms.v1.SampleBatch
(proto/pms.proto) on a ZeroMQ PUB socket: two frames, the source id
("smu1.current") as the topic, then the batch. Times and values are
little-endian float64 columns. Each source numbers its batches from 0; a
number skipped is a batch lost (a PUB socket drops what a slow subscriber
cannot take), and this script reports it. Debian's python3-zmq and
python3-protobuf; the message code from protoc (protobuf-compiler):

    protoc -I proto --python_out=examples/python proto/pms.proto
    /usr/bin/python3 examples/python/telemetry_watch.py --connect tcp://optics-pc:5556 \\
        --keys alice.key --server-key gateway.pub --topic smu1. --count 10
"""
import argparse
import json
import struct
import sys

import zmq

import pms_pb2 as pb


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


def column(data):
    """A little-endian float64 column."""
    if len(data) % 8:
        raise ValueError(f"a column of {len(data)} bytes is not whole float64 values")
    return list(struct.unpack(f"<{len(data) // 8}d", data))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connect", required=True, help="the gateway's telemetry endpoint")
    parser.add_argument("--keys", help="this client's key pair (JSON from `pms keys new`)")
    parser.add_argument("--server-key", help="the gateway's .pub file (or its key)")
    parser.add_argument("--topic", action="append", help='source-id prefix, e.g. "smu1." (default: all)')
    parser.add_argument("--count", type=int, default=0, help="stop after this many batches (default: never)")
    parser.add_argument("--timeout", type=float, default=0, help="stop after this many seconds without a batch")
    options = parser.parse_args()

    socket = zmq.Context.instance().socket(zmq.SUB)
    socket.linger = 0
    if options.keys:
        with open(options.keys, encoding="utf-8") as f:
            pair = json.load(f)
        socket.curve_publickey = pair["publicKey"].encode()
        socket.curve_secretkey = pair["secretKey"].encode()
        socket.curve_serverkey = server_key(options.server_key).encode()
    for topic in options.topic or [""]:
        socket.setsockopt_string(zmq.SUBSCRIBE, topic)
    socket.connect(options.connect)

    expected = {}
    seen = 0
    while options.count == 0 or seen < options.count:
        if options.timeout and not socket.poll(int(options.timeout * 1000)):
            print(f"no batch within {options.timeout} s", file=sys.stderr)
            return 1
        frames = socket.recv_multipart()
        batch = pb.SampleBatch.FromString(frames[-1])
        times, values = column(batch.times), column(batch.values)
        if batch.source_id in expected and batch.sequence != expected[batch.source_id]:
            missing = (batch.sequence - expected[batch.source_id]) % 2**32
            print(f"gap: {missing} batch(es) of {batch.source_id} lost before #{batch.sequence}", file=sys.stderr)
        expected[batch.source_id] = (batch.sequence + 1) % 2**32
        print(json.dumps({
            "source": batch.source_id,
            "sequence": batch.sequence,
            "quantity": batch.quantity,
            "unit": batch.unit,
            "times": times,
            "values": values,
        }), flush=True)
        seen += 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
