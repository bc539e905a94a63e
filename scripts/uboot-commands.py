#!/usr/bin/env python3
"""Prints the commands a U-Boot binary was built with, one per line, sorted.

Usage: scripts/uboot-commands.py QEMU-ARGUMENTS...
Starts QEMU with the arguments (U-Boot's console on stdio), types Enter until
U-Boot's prompt ('=> ' or 'U-Boot> ') shows autoboot was stopped, then
'help', and prints the names it lists ('name   - what it does'). Exits 1
when no listing comes within 120 s. Used by BootScriptUBootTests to check
each board's boot.scr against the U-Boot sel4img ships for it.
"""
import os
import re
import select
import subprocess
import sys
import time

PROMPT = re.compile(rb"(=>|U-Boot>) $")


def main(argv):
    qemu = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""
    mark = None
    last_key = 0.0
    deadline = time.time() + 120
    try:
        while time.time() < deadline:
            ready, _, _ = select.select([qemu.stdout], [], [], 0.2)
            if ready:
                data = os.read(qemu.stdout.fileno(), 65536)
                if not data:
                    break
                out += data.replace(b"\r", b"")
            if mark is None:
                if PROMPT.search(out):
                    mark = len(out)
                    qemu.stdin.write(b"help\n")
                    qemu.stdin.flush()
                elif time.time() - last_key > 0.3:
                    qemu.stdin.write(b"\n")
                    qemu.stdin.flush()
                    last_key = time.time()
            else:
                after = out[mark:]
                if re.search(rb"\nversion +- ", after) and re.search(rb"\n(=>|U-Boot>) $", after):
                    names = sorted({m.group(1).decode() for m in re.finditer(rb"(?m)^([a-z0-9_.?-]+) +- ", after)})
                    print("\n".join(names))
                    return 0
    finally:
        qemu.kill()
        qemu.wait()
    sys.stderr.write("no complete 'help' listing within 120 s; the console's end:\n" + out[-2000:].decode(errors="replace") + "\n")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
