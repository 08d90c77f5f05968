"""Where a group meets: countries, and the regions of those that have a list.

Region values are unique across countries (the UK's keep the keys they had before groups outside
the UK existed; the others are ISO 3166-2 codes in lower case), so the finder can filter by region
alone. A country without a list has no region: its groups name their town or area instead.
"""

from functools import cache

DEFAULT_COUNTRY = "GB"

UK_REGIONS = [
    ("scotland", "Scotland"),
    ("wales", "Wales"),
    ("northern_ireland", "Northern Ireland"),
    ("north_east", "North East England"),
    ("north_west", "North West England"),
    ("yorkshire", "Yorkshire and the Humber"),
    ("midlands", "Midlands"),
    ("east", "East of England"),
    ("london", "London"),
    ("south_east", "South East England"),
    ("south_west", "South West England"),
]

IRISH_PROVINCES = [
    ("ie-c", "Connacht"),
    ("ie-l", "Leinster"),
    ("ie-m", "Munster"),
    ("ie-u", "Ulster (Cavan, Donegal, Monaghan)"),
]

US_STATES = "AL Alabama|AK Alaska|AZ Arizona|AR Arkansas|CA California|CO Colorado|\
CT Connecticut|DE Delaware|DC District of Columbia|FL Florida|GA Georgia|HI Hawaii|ID Idaho|\
IL Illinois|IN Indiana|IA Iowa|KS Kansas|KY Kentucky|LA Louisiana|ME Maine|MD Maryland|\
MA Massachusetts|MI Michigan|MN Minnesota|MS Mississippi|MO Missouri|MT Montana|NE Nebraska|\
NV Nevada|NH New Hampshire|NJ New Jersey|NM New Mexico|NY New York|NC North Carolina|\
ND North Dakota|OH Ohio|OK Oklahoma|OR Oregon|PA Pennsylvania|PR Puerto Rico|RI Rhode Island|\
SC South Carolina|SD South Dakota|TN Tennessee|TX Texas|UT Utah|VT Vermont|VA Virginia|\
WA Washington|WV West Virginia|WI Wisconsin|WY Wyoming"

CANADIAN_PROVINCES = "AB Alberta|BC British Columbia|MB Manitoba|NB New Brunswick|\
NL Newfoundland and Labrador|NS Nova Scotia|NT Northwest Territories|NU Nunavut|ON Ontario|\
PE Prince Edward Island|QC Quebec|SK Saskatchewan|YT Yukon"

AUSTRALIAN_STATES = "ACT Australian Capital Territory|NSW New South Wales|NT Northern Territory|\
QLD Queensland|SA South Australia|TAS Tasmania|VIC Victoria|WA Western Australia"

NZ_REGIONS = "AUK Auckland|BOP Bay of Plenty|CAN Canterbury|CIT Chatham Islands|GIS Gisborne|\
HKB Hawke's Bay|MWT Manawatū-Whanganui|MBH Marlborough|NSN Nelson|NTL Northland|OTA Otago|\
STL Southland|TKI Taranaki|TAS Tasman|WKO Waikato|WGN Wellington|WTC West Coast"


def _coded(country: str, listed: str) -> list[tuple[str, str]]:
    pairs = (entry.split(" ", 1) for entry in listed.split("|"))
    return [(f"{country}-{code.lower()}", name) for code, name in pairs]


# Countries in the order the lists show them: the societies' home countries first.
COUNTRIES = [
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("US", "United States"),
    ("CA", "Canada"),
    ("AU", "Australia"),
    ("NZ", "New Zealand"),
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("HR", "Croatia"),
    ("DK", "Denmark"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("HU", "Hungary"),
    ("IN", "India"),
    ("IL", "Israel"),
    ("IT", "Italy"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("SI", "Slovenia"),
    ("ZA", "South Africa"),
    ("ES", "Spain"),
    ("SE", "Sweden"),
    ("CH", "Switzerland"),
]

REGIONS: dict[str, list[tuple[str, str]]] = {
    "GB": UK_REGIONS,
    "IE": IRISH_PROVINCES,
    "US": _coded("us", US_STATES),
    "CA": _coded("ca", CANADIAN_PROVINCES),
    "AU": _coded("au", AUSTRALIAN_STATES),
    "NZ": _coded("nz", NZ_REGIONS),
}


def country_name(code: str) -> str:
    return dict(COUNTRIES).get(code, code)


@cache
def _region_names() -> dict[str, str]:
    return {key: name for regions in REGIONS.values() for key, name in regions}


@cache
def _region_countries() -> dict[str, str]:
    return {key: country for country, regions in REGIONS.items() for key, _ in regions}


def region_name(region: str) -> str:
    """A region's name in words; an unknown value is shown as it is stored."""
    return _region_names().get(region, region)


def country_of_region(region: str) -> str | None:
    return _region_countries().get(region)


def grouped_region_choices() -> list:
    """Regions grouped by country, for a <select> with an <optgroup> per country."""
    return [(country_name(country), regions) for country, regions in REGIONS.items()]
