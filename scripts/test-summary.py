#!/usr/bin/env python3
"""Prints the closing line of `make test` from the xUnit report of `swift test --parallel`
(which prints no XCTest summary of its own): failed test names, then 'N passed, N failed'."""
import sys
import xml.etree.ElementTree as ET

path = sys.argv[1]
try:
    root = ET.parse(path).getroot()
except (OSError, ET.ParseError) as e:
    print(f"make test: no test report at {path} ({e})")
    sys.exit(1)
cases = root.iter("testcase")
passed = failed = skipped = 0
for case in cases:
    name = f'{case.get("classname")}.{case.get("name")}'
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
        print(f"FAILED: {name}")
    elif case.find("skipped") is not None:
        skipped += 1
        print(f"skipped: {name}")
    else:
        passed += 1
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(1 if failed or passed == 0 else 0)
