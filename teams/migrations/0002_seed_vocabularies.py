"""Seed the configurable vocabularies of docs/domain.md section 2 (editable later in the admin).

Idempotent: rows are matched by code and left alone if an administrator already changed them.
"""

from django.db import migrations

CATEGORIES = [
    (
        "PROV",
        "Providers",
        "NHS trusts, primary care, community services, specialist and regional providers.",
        True,
    ),
    (
        "COMM",
        "Commissioners",
        "Commissioning organisations: CCGs or ICBs, NHS England, local government as commissioner.",
        True,
    ),
    (
        "STAFF",
        "Professionals and front-line staff",
        "GPs, allied health professionals, specialist clinicians, managers.",
        True,
    ),
    (
        "PUBLIC",
        "Patients, service users, carers and the public",
        "Patients, carers, children and young people, members of the public.",
        True,
    ),
    (
        "OPS",
        "Other public sector",
        "Local councils, health and wellbeing boards and other public bodies.",
        True,
    ),
    ("NONNHS", "Non-NHS organisations", "Third-sector organisations and industry.", True),
    (
        "RESEARCH",
        "Researchers and academia",
        "Universities, research institutes, academics and clinical academics. Added by design; can be switched off.",
        True,
    ),
]

# (code, name, sector, default category, is mental health)
ORGANISATION_TYPES = [
    ("nhs-acute", "NHS acute provider", "nhs_provider", "PROV", False),
    ("nhs-community", "NHS community provider", "nhs_provider", "PROV", False),
    ("nhs-mental-health", "NHS mental health provider", "nhs_provider", "PROV", True),
    ("nhs-primary-care", "Primary care provider", "nhs_provider", "PROV", False),
    ("nhs-specialist", "NHS specialist provider", "nhs_provider", "PROV", False),
    ("commissioner-icb", "Commissioner (CCG or ICB)", "commissioner", "COMM", False),
    ("commissioner-nhse", "NHS England", "commissioner", "COMM", False),
    ("local-authority", "Local authority or public health", "local_government", "OPS", False),
    ("hwb-public-body", "Health and wellbeing board or other public body", "other_public", "OPS", False),
    ("university", "University or research institute", "academic", "RESEARCH", False),
    ("vcse", "Voluntary, community and social enterprise", "third_sector", "NONNHS", False),
    ("industry", "Industry", "industry", "NONNHS", False),
    ("patient-public-group", "Patient and public group", "public", "PUBLIC", False),
]

THEMES = [
    ("evidence-synthesis", "Evidence synthesis"),
    ("inequalities", "Health inequalities"),
    ("ppi", "Patient and public involvement"),
    ("data-and-informatics", "Data and informatics"),
    ("workforce", "Workforce and skills"),
    ("prevention", "Prevention"),
]

DOCUMENT_TYPES = [
    ("terms-of-reference", "Terms of reference"),
    ("data-sharing-agreement", "Data-sharing agreement"),
    ("minutes", "Meeting minutes"),
    ("ppi-policy", "PPI policy"),
    ("annual-report", "Annual report"),
    ("closure-report", "Closure report"),
    ("other", "Other"),
]

# Performance domains of the research (docs/domain.md R6.10).
OUTCOME_DOMAINS = [
    ("organisational-efficiency", "Organisational efficiency"),
    ("cultural-efficacy", "Cultural efficacy"),
    ("technological-effectiveness", "Technological effectiveness"),
]


def seed(apps, schema_editor):
    StakeholderCategory = apps.get_model("teams", "StakeholderCategory")
    OrganisationType = apps.get_model("teams", "OrganisationType")
    categories = {}
    for position, (code, name, description, counts) in enumerate(CATEGORIES, start=1):
        categories[code], _ = StakeholderCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "position": position,
                "counts_toward_coverage": counts,
            },
        )
    for position, (code, name, sector, category, mental_health) in enumerate(ORGANISATION_TYPES, start=1):
        OrganisationType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "sector": sector,
                "default_category": categories[category],
                "is_mental_health": mental_health,
                "position": position,
            },
        )
    for model_name, rows in [
        ("Theme", THEMES),
        ("DocumentType", DOCUMENT_TYPES),
        ("OutcomeDomain", OUTCOME_DOMAINS),
    ]:
        model = apps.get_model("teams", model_name)
        for position, (code, name) in enumerate(rows, start=1):
            model.objects.get_or_create(code=code, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("teams", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
