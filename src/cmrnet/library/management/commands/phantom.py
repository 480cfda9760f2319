"""cmrnet phantom OUT_DIR --edv 150 --esv 60 --mass 120 [--phases 25] [--slices 10]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cmrnet.library import phantom


class Command(BaseCommand):
    help = ("Write a known-truth short-axis cine phantom (beating ellipsoidal LV in a simple thorax) as MR DICOM, "
            "with truth.json giving its EDV, ESV, EF, SV and mass.")

    def add_arguments(self, parser):
        parser.add_argument("out_dir")
        parser.add_argument("--edv", type=float, required=True, help="end-diastolic volume, ml")
        parser.add_argument("--esv", type=float, required=True, help="end-systolic volume, ml")
        parser.add_argument("--mass", type=float, required=True, help="LV myocardial mass, g")
        parser.add_argument("--phases", type=int, default=25)
        parser.add_argument("--slices", type=int, default=10)
        parser.add_argument("--matrix", type=int, default=128, help="image size in pixels (square)")

    def handle(self, *args, **o):
        try:
            truth, cine, heights = phantom.generate(o["edv"], o["esv"], o["mass"], phases=o["phases"], slices=o["slices"],
                                                    matrix=o["matrix"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        files = phantom.write_dicom(Path(o["out_dir"]), truth, cine, heights)
        self.stdout.write(f"{len(files)} images ({truth.slices} slices x {truth.phases} phases) in {o['out_dir']}: "
                          f"EDV {truth.edv_ml:g} ml, ESV {truth.esv_ml:g} ml, EF {truth.ef_pct:.1f} %, "
                          f"mass {truth.mass_g:g} g (truth.json)")
