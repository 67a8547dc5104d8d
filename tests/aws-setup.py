#!/usr/bin/env python3
"""aws-setup.py MOTO_URL OUT_DIR - the AWS world of the EBS tests, made
in moto with boto3 while moto still answers unauthenticated requests:

  - an instance named "db1" with three data volumes attached at
    /dev/sdf, /dev/sdg, /dev/sdh besides its boot volume;
  - IAM user "quiesce" allowed the EC2 calls the backend makes, and user
    "weak" allowed everything but ec2:CreateSnapshots; an access key each;
  - a role "snap-role" assumed into a session (the instance role's
    credentials).

Writes OUT_DIR/world.json. Then the caller turns signature checking on.
"""
import json
import sys

import boto3

url, out = sys.argv[1], sys.argv[2]
kw = dict(endpoint_url=url, region_name="eu-west-1",
          aws_access_key_id="AKIASETUP", aws_secret_access_key="setup")
ec2 = boto3.client("ec2", **kw)
iam = boto3.client("iam", **kw)
sts = boto3.client("sts", **kw)

image = ec2.describe_images()["Images"][0]["ImageId"]
inst = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1,
                         InstanceType="m5.large",
                         TagSpecifications=[{"ResourceType": "instance",
                                             "Tags": [{"Key": "Name", "Value": "db1"}]}])
inst = inst["Instances"][0]
iid, az = inst["InstanceId"], inst["Placement"]["AvailabilityZone"]
vols = []
for dev in ("/dev/sdf", "/dev/sdg", "/dev/sdh"):
    v = ec2.create_volume(Size=10, AvailabilityZone=az)["VolumeId"]
    ec2.attach_volume(VolumeId=v, InstanceId=iid, Device=dev)
    vols.append(v)
desc = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
boot = [m["Ebs"]["VolumeId"] for m in desc["BlockDeviceMappings"]
        if m["DeviceName"] == desc["RootDeviceName"]]

actions = ["ec2:DescribeInstances", "ec2:DescribeVolumes",
           "ec2:DescribeSnapshots", "ec2:CreateSnapshots",
           "ec2:CreateTags", "ec2:DeleteSnapshot"]


def user(name, allowed):
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": allowed, "Resource": "*"}]}))
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return {"id": k["AccessKeyId"], "secret": k["SecretAccessKey"]}


world = {"instance": iid, "volumes": vols, "boot": boot[0] if boot else "",
         "region": "eu-west-1",
         "quiesce": user("quiesce", actions),
         "weak": user("weak", [a for a in actions if a != "ec2:CreateSnapshots"])}
iam.create_role(RoleName="snap-role", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                                            "Principal": {"AWS": "*"},
                                            "Action": "sts:AssumeRole"}]}))
iam.put_role_policy(RoleName="snap-role", PolicyName="p", PolicyDocument=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}))
c = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/snap-role",
                    RoleSessionName="db1")["Credentials"]
world["role"] = {"id": c["AccessKeyId"], "secret": c["SecretAccessKey"],
                 "token": c["SessionToken"]}
with open(out + "/world.json", "w") as f:
    json.dump(world, f)
