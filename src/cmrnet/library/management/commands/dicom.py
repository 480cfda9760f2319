"""cmrnet dicom import|deidentify|pull

    cmrnet dicom import DIR|ZIP --case NEW|ID [--by EMAIL] [--title T] [--category C]
    cmrnet dicom deidentify IN_DIR OUT_DIR --report REPORT.json
    cmrnet dicom pull STUDY_UID --url DICOMWEB_URL --case NEW|ID [--by EMAIL]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cmrnet.library import ingest as svc
from cmrnet.library.models import Case, Ingest
from cmrnet.people.models import User
from cmrnet.people.roles import Role


class Command(BaseCommand):
    help = "Import, de-identify offline, or pull DICOM from a DICOMweb server (docs/case-library.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="de-identify a folder or zip into a library case")
        imp.add_argument("source")
        self._case_args(imp)
        deid = sub.add_parser("deidentify", help="de-identify IN_DIR into OUT_DIR offline (no database)")
        deid.add_argument("in_dir")
        deid.add_argument("out_dir")
        deid.add_argument("--report", required=True, help="JSON report: every input file with status and reason")
        pull = sub.add_parser("pull", help="QIDO-RS/WADO-RS a study from a DICOMweb server into a case")
        pull.add_argument("study_uid")
        pull.add_argument("--url", required=True, help="the server's DICOMweb root, e.g. http://127.0.0.1:8042/dicom-web")
        self._case_args(pull)

    @staticmethod
    def _case_args(parser):
        parser.add_argument("--case", required=True, help="NEW, or the id of an existing case")
        parser.add_argument("--by", default="", help="e-mail of the contributor (default: the first network administrator)")
        parser.add_argument("--title", default="")
        parser.add_argument("--category", default="other")

    def handle(self, *args, **o):
        if o["action"] == "deidentify":
            return self._deidentify(o)
        by = self._person(o["by"])
        case = self._case(o, by)
        try:
            if o["action"] == "import":
                source = Path(o["source"])
                if not source.exists():
                    raise svc.IngestError(f"{source}: no such file or folder.")
                result = svc.ingest(by=by, case=case, files=svc.read_path(source), source=Ingest.Source.COMMAND)
            else:
                from cmrnet.library import pull

                result = pull.pull_study(by=by, case=case, base_url=o["url"], study_uid=o["study_uid"])
        except svc.IngestError as exc:
            raise CommandError(str(exc)) from None
        counts = result.counts
        self.stdout.write(f"case {case.pk} ({case.pseudonym}): {counts['deidentified']} de-identified, "
                          f"{counts['quarantined']} quarantined, {counts['refused']} refused")
        for o_ in result.outcomes:
            if o_.status != "deidentified":
                self.stdout.write(f"  {o_.status}: {o_.name}: {o_.reason}")

    def _deidentify(self, o):
        in_dir, out_dir = Path(o["in_dir"]), Path(o["out_dir"])
        try:
            rows = svc.deidentify_folder(in_dir, out_dir)
        except svc.IngestError as exc:
            self.stderr.write(f"cmrnet dicom deidentify: {exc}")
            sys.exit(2)
        counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("deidentified", "quarantined")}
        Path(o["report"]).write_text(json.dumps({"input": str(in_dir), "output": str(out_dir), "counts": counts,
                                                 "files": rows}, indent=2))
        self.stdout.write(f"{counts['deidentified']} de-identified into {out_dir}, {counts['quarantined']} quarantined "
                          f"(left out); report: {o['report']}")

    @staticmethod
    def _person(email: str) -> User:
        if email:
            try:
                return User.objects.get_by_natural_key(email)
            except User.DoesNotExist:
                raise CommandError(f"--by {email}: no such person.") from None
        person = User.objects.filter(role_grants__role=Role.NETWORK_ADMIN, is_active=True).order_by("pk").first()
        if person is None:
            raise CommandError("--by: name the contributor (no network administrator exists to default to).")
        return person

    @staticmethod
    def _case(o, by) -> Case:
        if o["case"].upper() == "NEW":
            try:
                return svc.new_case(by=by, title=o["title"], category=o["category"])
            except svc.IngestError as exc:
                raise CommandError(f"--case NEW: {exc}") from None
        if not o["case"].isdigit():
            raise CommandError(f"--case {o['case']}: NEW or a case id (a number).")
        try:
            return Case.objects.get(pk=int(o["case"]))
        except Case.DoesNotExist:
            raise CommandError(f"--case {o['case']}: no such case.") from None
