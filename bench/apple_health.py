#!/usr/bin/env python3
"""Writes an Apple Health export.xml of about MB megabytes (default 300) to stdout, shaped like
a real one (HealthKit Export Version 14): the DTD, <ExportDate>, <Me>, then ten years of
records, most of them steps, heart rate and energy (what fills real exports), with a weigh-in
from a Withings scale most mornings (body mass, body fat as a fraction, lean body mass), some
of them also typed into Health by hand in pounds."""
import datetime
import random
import sys

target = int(sys.argv[1] if len(sys.argv) > 1 else 300) * 1024 * 1024
rng = random.Random(11)
out = sys.stdout
head = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram|VisionPrescription)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate
  value CDATA #REQUIRED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!ELEMENT MetadataEntry EMPTY>
<!ATTLIST MetadataEntry
  key   CDATA #REQUIRED
  value CDATA #REQUIRED
>
]>
<HealthData locale="en_GB">
 <ExportDate value="2026-11-30 09:12:44 +0000"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1980-05-01" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale" HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet" HKCharacteristicTypeIdentifierCardioFitnessMedicationsUse="None"/>
"""
out.write(head)
written = len(head)
device = "&lt;&lt;HKDevice: 0x282a45810&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,2, software:9.1&gt;"
t = datetime.datetime(2016, 12, 1, 0, 0, 0)
w = 84.0
day = None
weigh_ins = 0
while written < target:
    t += datetime.timedelta(minutes=rng.randint(3, 20))
    off = "+0100" if t.month in (11, 12, 1, 2, 3) else "+0200"
    stamp = f"{t:%Y-%m-%d %H:%M:%S} {off}"
    end = f"{t + datetime.timedelta(minutes=2):%Y-%m-%d %H:%M:%S} {off}"
    kind = rng.random()
    if kind < 0.5:
        line = f' <Record type="HKQuantityTypeIdentifierStepCount" sourceName="Anna’s Apple Watch" sourceVersion="9.1" device="{device}" unit="count" creationDate="{end}" startDate="{stamp}" endDate="{end}" value="{rng.randint(5, 900)}"/>\n'
    elif kind < 0.85:
        line = f' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Anna’s Apple Watch" sourceVersion="9.1" device="{device}" unit="count/min" creationDate="{end}" startDate="{stamp}" endDate="{stamp}" value="{rng.randint(52, 150)}">\n  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n </Record>\n'
    else:
        line = f' <Record type="HKQuantityTypeIdentifierActiveEnergyBurned" sourceName="Anna’s Apple Watch" sourceVersion="9.1" device="{device}" unit="kcal" creationDate="{end}" startDate="{stamp}" endDate="{end}" value="{rng.uniform(0.1, 20):.3f}"/>\n'
    if t.date() != day and t.hour >= 7:
        day = t.date()
        w += rng.gauss(-0.002, 0.05)
        if rng.random() < 0.85:
            reading = w + rng.gauss(0, 0.35)
            at = f"{t:%Y-%m-%d %H:%M:%S} {off}"
            line += f' <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Health Mate" sourceVersion="6020001" unit="kg" creationDate="{at}" startDate="{at}" endDate="{at}" value="{reading:.2f}">\n  <MetadataEntry key="HKWasUserEntered" value="0"/>\n </Record>\n'
            line += f' <Record type="HKQuantityTypeIdentifierBodyFatPercentage" sourceName="Health Mate" sourceVersion="6020001" unit="%" creationDate="{at}" startDate="{at}" endDate="{at}" value="{rng.uniform(0.2, 0.3):.3f}"/>\n'
            line += f' <Record type="HKQuantityTypeIdentifierLeanBodyMass" sourceName="Health Mate" sourceVersion="6020001" unit="kg" creationDate="{at}" startDate="{at}" endDate="{at}" value="{reading * 0.75:.2f}"/>\n'
            weigh_ins += 1
            if rng.random() < 0.05:
                later = t + datetime.timedelta(hours=2)
                at2 = f"{later:%Y-%m-%d %H:%M:%S} {off}"
                line += f' <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Health" sourceVersion="17.2" unit="lb" creationDate="{at2}" startDate="{at2}" endDate="{at2}" value="{reading / 0.45359237:.1f}"/>\n'
                weigh_ins += 1
    out.write(line)
    written += len(line.encode())
out.write("</HealthData>\n")
print(f"{weigh_ins} weigh-ins", file=sys.stderr)
