"""The names the generated data is made of, shared by the demo story
(``demo_story.py``) and the fast generator (``demo_fast.py``)."""

# the reference of the fast generator's customers: BENCH-1, BENCH-2, …
REF_PREFIX = "BENCH-"
FIRST_NAMES = [
    "Ana", "Luis", "Marta", "Jorge", "Lucía", "Pablo", "Elena", "Carlos", "Sara",
    "Diego", "Laura", "Iván", "Nuria", "Óscar", "Paula", "Raúl", "Irene", "Hugo",
]  # fmt: skip
LAST_NAMES = [
    "García", "Martín", "López", "Sánchez", "Pérez", "Gómez", "Ruiz", "Díaz",
    "Moreno", "Muñoz", "Romero", "Navarro", "Torres", "Ramos", "Gil", "Vega",
]  # fmt: skip
COMPANY_WORDS = [
    "Iberia", "Norte", "Atlántica", "Solar", "Delta", "Mistral", "Orbe", "Cobalto",
    "Faro", "Alba", "Cierzo", "Tajo", "Nexo", "Prisma", "Duero", "Vértice",
]  # fmt: skip
COMPANY_KINDS = ["Retail", "Logistics", "Clinics", "Hotels", "Foods", "Studio"]
