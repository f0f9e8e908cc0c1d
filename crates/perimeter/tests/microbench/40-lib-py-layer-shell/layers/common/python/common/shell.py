import shlex
import subprocess


def run(command):
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout


def run_args(*args):
    return run(" ".join(shlex.quote(a) for a in args))
