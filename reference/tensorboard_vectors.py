"""Prints the known vectors that Tests/TensorBoardTests/EventFileTests.swift checks, computed by the
`tensorboard` package itself: its masked CRC-32C (the code that frames TFRecords) and its Event
protobuf encoding.

  /work/venv/bin/python reference/tensorboard_vectors.py
"""
import struct

from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

print("masked_crc32c(b'123456789') = 0x%08X" % masked_crc32c(b"123456789"))
print("masked_crc32c(length 13)    = 0x%08X" % masked_crc32c(struct.pack("<Q", 13)))
scalar = event_pb2.Event(wall_time=1.5, step=7, summary=summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="a", simple_value=2.0)]))
print("scalar event  =", scalar.SerializeToString().hex())
version = event_pb2.Event(wall_time=1.5, file_version="brain.Event:2")
print("version event =", version.SerializeToString().hex())
start = event_pb2.Event(wall_time=1.5, step=20, session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START))
print("start event   =", start.SerializeToString().hex())
