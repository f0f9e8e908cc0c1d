import subprocess


class Archiver:
    def __init__(self, root):
        self.root = root

    def pack(self, name):
        cmd = "tar czf /tmp/out.tgz -C " + self.root + " " + name
        return subprocess.call(cmd, shell=True)

    def pack_safely(self, name):
        return subprocess.call(["tar", "czf", "/tmp/out.tgz", "-C", self.root, name])


archiver = Archiver("/srv/data")


def pack(event, context):
    folder = event["pathParameters"]["folder"]
    archiver.pack(folder)
    return {"statusCode": 200}


def pack_safe(event, context):
    archiver.pack_safely(event["pathParameters"]["folder"])
    return {"statusCode": 200}
