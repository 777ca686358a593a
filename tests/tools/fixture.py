#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Holds two modules alive for the logosctl tests: "tool-a" (RUNNING) sends
"tool-b" a 3-page memory grant over a channel. Prints READY, then waits
until stdin closes."""
import ctypes, fcntl, os, struct, sys

def ioc(d, nr, size):
    return (d << 30) | (size << 16) | (0xBC << 8) | nr

def io(fd, nr, fmt, *vals, d=3):
    b = bytearray(struct.pack(fmt, *vals))
    fcntl.ioctl(fd, ioc(d, nr, len(b)), b)
    return struct.unpack(fmt, b)

CREATE = "32sII8QIiII"
MSG = "QIIQII" + "IIQQQII"
MOVE = 1

def create(dev, name):
    v = io(dev, 0x10, CREATE, name.encode(), 1, 0, *([0] * 8), 0, 0, 0, 0)
    return v[11], v[12]   # module handle, module fd

def give(dev, module, handle):
    return io(dev, 0x06, "IIIIII", module, handle, 0x80000000, MOVE, 0, 0)[4]

dev = os.open("/dev/logos", os.O_RDWR)
ha, fa = create(dev, "tool-a")
hb, fb = create(dev, "tool-b")
io(dev, 0x11, "IIII", ha, 1, 0, 0, d=1)          # INITIALIZING
fcntl.ioctl(fa, ioc(0, 0x12, 0))                  # READY: now RUNNING
c = io(dev, 0x30, "IIIIII", 0, 0, 0, 0, 0, 0)     # a channel, given to a and b
ea, eb = give(dev, ha, c[4]), give(dev, hb, c[5])
mem = io(fa, 0x40, "QIIQ", 3 * 4096, 0, 0, 0)[2]
hs = (ctypes.c_uint32 * 4)(mem, 0x80000000, 0, 0)
msg = (ctypes.c_char * 72)()
struct.pack_into(MSG, msg, 0, 0, 0, 1, ctypes.addressof(hs), 0, 0, *([0] * 7))
io(fa, 0x31, "IIQIIq", ea, 0, ctypes.addressof(msg), 1, 0, 0)
rhs = (ctypes.c_uint32 * 4)()
rmsg = (ctypes.c_char * 72)()
struct.pack_into(MSG, rmsg, 0, 0, 0, 1, ctypes.addressof(rhs), 0, 0, *([0] * 7))
io(fb, 0x32, "IIQIIq", eb, 0, ctypes.addressof(rmsg), 1, 0, 0)
print("READY", flush=True)
sys.stdin.read()
