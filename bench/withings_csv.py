#!/usr/bin/env python3
"""Writes a Withings "Download my data" weight.csv of YEARS years (default 10) to stdout, as
Withings writes it: newest first, kg with two decimals, empty cells for weight-only rows."""
import datetime
import random
import sys

years = int(sys.argv[1]) if len(sys.argv) > 1 else 10
rng = random.Random(7)
end = datetime.datetime(2026, 11, 30, 7, 0, 0)
rows = []
w = 92.0
t = end - datetime.timedelta(days=365 * years)
while t < end:
    w += rng.gauss(-0.004, 0.05)
    reading = w + rng.gauss(0, 0.35)
    if rng.random() < 0.7:
        fat = reading * (0.24 + rng.gauss(0, 0.01))
        bone = reading * 0.04
        muscle = reading - fat - bone
        hydration = muscle * 0.72
        rows.append(f"{t:%Y-%m-%d %H:%M:%S},{reading:.2f},{fat:.2f},{bone:.2f},{muscle:.2f},{hydration:.2f},")
    else:
        rows.append(f"{t:%Y-%m-%d %H:%M:%S},{reading:.2f},,,,,")
    t += datetime.timedelta(hours=rng.choice([10, 14, 24, 24, 24, 30, 48]), minutes=rng.randint(-30, 30))
print('Date,"Weight (kg)","Fat mass (kg)","Bone mass (kg)","Muscle mass (kg)","Hydration (kg)",Comments')
print("\n".join(reversed(rows)))
