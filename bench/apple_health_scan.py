#!/usr/bin/env python3
"""The baseline for Heft's Apple Health import: a plain streaming parse of the same file with
Python's iterparse (elements cleared as they are read), counting the body mass records."""
import sys
import xml.etree.ElementTree as ET

n = 0
for _, el in ET.iterparse(sys.argv[1], events=("end",)):
    if el.tag == "Record" and el.get("type") == "HKQuantityTypeIdentifierBodyMass":
        n += 1
    el.clear()
print(n)
