"""A handful of Members in the two committees that handled the AI Act, IMCO and LIBE, so a
packet can be made from the demo. Names, groups and EP ids are real (the 8th and 9th
terms); the committee roles are illustrative. The full list comes from `import_meps`."""

from __future__ import annotations

from typing import Any

from letters.legislators.models import Committee, CommitteeMembership, Legislator

S_AND_D = "Group of the Progressive Alliance of Socialists and Democrats in the European Parliament"
EPP = "Group of the European People's Party (Christian Democrats)"
LIBERALS = "Group of the Alliance of Liberals and Democrats for Europe"
RENEW = "Renew Europe Group"
LEFT = "Confederal Group of the European United Left - Nordic Green Left"

LEGISLATORS = [
    (124867, "Brando Benifei", "Benifei, Brando", "IT", S_AND_D, "S&D", "Partito Democratico"),
    (197665, "Dragoș Tudorache", "Tudorache, Dragoș", "RO", RENEW, "Renew", "Partidul Libertate, Unitate și Solidaritate"),
    (96674, "Anna Maria Corazza Bildt", "Corazza Bildt, Anna Maria", "SE", EPP, "EPP", "Moderaterna"),
    (124708, "Dita Charanzová", "Charanzová, Dita", "CZ", LIBERALS, "ALDE", "ANO 2011"),
    (37312, "Christel Schaldemose", "Schaldemose, Christel", "DK", S_AND_D, "S&D", "Socialdemokratiet"),
    (4519, "Claude Moraes", "Moraes, Claude", "GB", S_AND_D, "S&D", "Labour Party"),
    (28266, "Sophia in 't Veld", "in 't Veld, Sophia", "NL", LIBERALS, "ALDE", "Democraten 66"),
    (96932, "Birgit Sippel", "Sippel, Birgit", "DE", S_AND_D, "S&D", "Sozialdemokratische Partei Deutschlands"),
    (96852, "Cornelia Ernst", "Ernst, Cornelia", "DE", LEFT, "GUE/NGL", "DIE LINKE."),
]  # fmt: skip

COMMITTEES = {
    "IMCO": "Committee on the Internal Market and Consumer Protection",
    "LIBE": "Committee on Civil Liberties, Justice and Home Affairs",
}

MEMBERSHIPS = [
    ("IMCO", 124867, CommitteeMembership.Role.MEMBER),
    ("IMCO", 96674, CommitteeMembership.Role.MEMBER),
    ("IMCO", 124708, CommitteeMembership.Role.VICE_CHAIR),
    ("IMCO", 37312, CommitteeMembership.Role.MEMBER),
    ("LIBE", 197665, CommitteeMembership.Role.MEMBER),
    ("LIBE", 4519, CommitteeMembership.Role.CHAIR),
    ("LIBE", 28266, CommitteeMembership.Role.MEMBER),
    ("LIBE", 96932, CommitteeMembership.Role.MEMBER),
    ("LIBE", 96852, CommitteeMembership.Role.MEMBER),
    # A rapporteur may sit in the other committee as a substitute.
    ("LIBE", 124867, CommitteeMembership.Role.SUBSTITUTE),
]


def seed(*, stdout: Any) -> None:
    committees = {
        code: Committee.objects.update_or_create(code=code, defaults={"name": name})[0]
        for code, name in COMMITTEES.items()
    }
    legislators = {}
    for ep_id, name, sort_name, country, group, code, party in LEGISLATORS:
        legislators[ep_id], _ = Legislator.objects.update_or_create(
            ep_id=ep_id,
            defaults={
                "full_name": name,
                "sort_name": sort_name,
                "country": country,
                "political_group": group,
                "political_group_code": code,
                "national_party": party,
            },
        )
    for committee_code, ep_id, role in MEMBERSHIPS:
        CommitteeMembership.objects.update_or_create(
            legislator=legislators[ep_id],
            committee=committees[committee_code],
            defaults={"role": role},
        )
    stdout.write(f"Legislators: {len(legislators)} Members in IMCO and LIBE")
