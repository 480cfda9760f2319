"""PURE PYTHON: Clean Descriptors (PS3.15 E.3.5) by an allow-list.

A free-text descriptor (series/study description, protocol name...) keeps only words of a closed CMR/MR
acquisition vocabulary, short numbers (slice counts, b-values, "4ch") and nothing else: a name, a date, a
record number or a hospital typed into a description disappears, because it is not a word of the
vocabulary. Comments are not cleaned but removed (see ``engine``).
"""

from __future__ import annotations

import re

VOCABULARY = frozenset("""
ax axial sag sagittal cor coronal obl oblique sa sax short axis la lax long 2ch 3ch 4ch 2cv 3cv 4cv ch chamber
lvot rvot lv rv la ra ao aorta aortic pa pulmonary mitral tricuspid valve valves ventricle ventricular atrial
cine cines tf trufi truefisp bssfp ssfp fiesta balanced ffe tfe gre se tse haste fse spgr flash turbo
lge psir mag magn magnitude phase ir inversion recovery t1 t1w t2 t2w t2star t2s pd stir tirm dark blood db bb
map maps mapping molli shmolli sasha ecv native post pre contrast gd gad gadolinium early late eg lg
perf perfusion stress rest adenosine regadenoson dipyridamole first pass fp
flow pc vec venc qflow through plane in inplane velocity mag ph
loc localiser localizer locator scout survey tra trans transverse ref reference cal calibration
moco mag_moco psf fs fat sat water dixon mra angio angiography 3d 2d mr mri cmr heart cardiac thorax chest
tagging tag grid strain feature tracking dense breath hold bh fb free breathing nav navigator retro prosp
prospective retrospective gated trigger ecg vcg multi single slice slices stack whole base mid apex apical basal
and of the to with w wo without series study protocol sequence sequences standard routine function
volume volumes mass iso isotropic hr high low res resolution fast quick rt realtime real time
""".split())
_WORD = re.compile(r"[A-Za-z0-9*]+")


def clean_descriptor(text: str) -> str:
    """`text` with only vocabulary words (case kept) and numbers of at most 3 digits, single-spaced."""
    kept = []
    for word in _WORD.findall(text or ""):
        lowered = word.lower().rstrip("*")
        if lowered in VOCABULARY or (word.isdigit() and len(word) <= 3):
            kept.append(word)
    return " ".join(kept)[:64]
