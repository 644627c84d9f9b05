"""Static tables the generator draws from: countries, cities with real area codes, number plans,
company-name parts, legal suffixes, job titles and nicknames.

Everything here is plain data. Number-plan prefixes are chosen so that every number drawn from
them is valid for `phonenumbers.is_valid_number` (the ranges are fully allocated in its metadata);
`tests/synthetic` checks that on every generated number.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTRY_CODES: tuple[str, ...] = ("US", "GB", "DE", "CN", "FR")
COUNTRY_WEIGHTS: tuple[float, ...] = (0.40, 0.18, 0.15, 0.12, 0.15)


@dataclass(frozen=True)
class Country:
    """A country as CRM records spell it, and what its phone numbers look like."""

    iso2: str
    iso3: str
    english_name: str
    local_name: str
    calling_code: str
    work_tld: str
    personal_domains: tuple[str, ...]


COUNTRIES: dict[str, Country] = {
    "US": Country(
        "US",
        "USA",
        "United States",
        "United States",
        "1",
        ".com",
        ("gmail.com", "yahoo.com", "outlook.com", "aol.com"),
    ),
    "GB": Country(
        "GB",
        "GBR",
        "United Kingdom",
        "United Kingdom",
        "44",
        ".co.uk",
        ("gmail.com", "hotmail.co.uk", "btinternet.com", "outlook.com"),
    ),
    "DE": Country(
        "DE",
        "DEU",
        "Germany",
        "Deutschland",
        "49",
        ".de",
        ("gmail.com", "web.de", "gmx.de", "t-online.de"),
    ),
    "CN": Country(
        "CN",
        "CHN",
        "China",
        "中国",
        "86",
        ".com.cn",
        ("qq.com", "163.com", "126.com", "gmail.com"),
    ),
    "FR": Country(
        "FR",
        "FRA",
        "France",
        "France",
        "33",
        ".fr",
        ("gmail.com", "orange.fr", "free.fr", "laposte.net"),
    ),
}


@dataclass(frozen=True)
class NumberPlan:
    """A block of phone numbers: national significant numbers starting with one of `prefixes`
    and `length` digits long, shown in `groups` (digits per block) in national formats."""

    name: str
    country: str
    kind: str  # "fixed" or "mobile"
    prefixes: tuple[str, ...]
    length: int
    groups: tuple[int, ...]
    trunk_prefix: str


def _digits(prefix: str, allowed: str) -> tuple[str, ...]:
    return tuple(prefix + d for d in allowed)


_US_EXCHANGE = "23456789"
# 07xx mobile ranges of Great Britain proper (others belong to Jersey, Guernsey, Isle of Man).
_GB_MOBILE_BLOCKS = "40 41 42 43 44 46 47 48 49 51 53 54 55 56 57 58 59 71 72 73 74 75 76 77 80 81"
_GB_MOBILE_PREFIXES = tuple(
    "7" + block for block in (_GB_MOBILE_BLOCKS + " 84 85 86 87 88 89").split()
)

NUMBER_PLANS: tuple[NumberPlan, ...] = (
    # United States (NANP): area code + exchange [2-9]XX + line; fixed and mobile look alike.
    NumberPlan(
        "us_new_york",
        "US",
        "fixed",
        _digits("212", _US_EXCHANGE) + _digits("646", _US_EXCHANGE),
        10,
        (3, 3, 4),
        "",
    ),
    NumberPlan("us_san_francisco", "US", "fixed", _digits("415", _US_EXCHANGE), 10, (3, 3, 4), ""),
    NumberPlan("us_chicago", "US", "fixed", _digits("312", _US_EXCHANGE), 10, (3, 3, 4), ""),
    NumberPlan("us_boston", "US", "fixed", _digits("617", _US_EXCHANGE), 10, (3, 3, 4), ""),
    NumberPlan(
        "us_los_angeles",
        "US",
        "fixed",
        _digits("213", _US_EXCHANGE) + _digits("310", _US_EXCHANGE),
        10,
        (3, 3, 4),
        "",
    ),
    NumberPlan("us_seattle", "US", "fixed", _digits("206", _US_EXCHANGE), 10, (3, 3, 4), ""),
    NumberPlan("us_austin", "US", "fixed", _digits("512", _US_EXCHANGE), 10, (3, 3, 4), ""),
    NumberPlan("us_atlanta", "US", "fixed", _digits("404", _US_EXCHANGE), 10, (3, 3, 4), ""),
    NumberPlan(
        "us_mobile",
        "US",
        "mobile",
        _digits("917", _US_EXCHANGE)
        + _digits("347", _US_EXCHANGE)
        + _digits("628", _US_EXCHANGE)
        + _digits("872", _US_EXCHANGE),
        10,
        (3, 3, 4),
        "",
    ),
    # United Kingdom: London 020 3/7/8, Manchester 0161, Glasgow 0141, Birmingham 0121.
    NumberPlan("gb_london", "GB", "fixed", ("203", "207", "208"), 10, (2, 4, 4), "0"),
    NumberPlan("gb_manchester", "GB", "fixed", ("161",), 10, (3, 3, 4), "0"),
    NumberPlan("gb_glasgow", "GB", "fixed", ("141",), 10, (3, 3, 4), "0"),
    NumberPlan("gb_birmingham", "GB", "fixed", _digits("121", "01234567"), 10, (3, 3, 4), "0"),
    NumberPlan("gb_mobile", "GB", "mobile", _GB_MOBILE_PREFIXES, 10, (4, 6), "0"),
    # Germany: Berlin 030, Munich 089, Hamburg 040, Frankfurt 069; mobiles 015x/016x/017x.
    NumberPlan("de_berlin", "DE", "fixed", ("30",), 10, (2, 4, 4), "0"),
    NumberPlan("de_munich", "DE", "fixed", ("89",), 10, (2, 4, 4), "0"),
    NumberPlan("de_hamburg", "DE", "fixed", ("40",), 10, (2, 4, 4), "0"),
    NumberPlan("de_frankfurt", "DE", "fixed", ("69",), 10, (2, 4, 4), "0"),
    NumberPlan(
        "de_mobile_long",
        "DE",
        "mobile",
        ("151", "152", "157", "176", "177", "178", "179"),
        11,
        (3, 4, 4),
        "0",
    ),
    NumberPlan(
        "de_mobile_short", "DE", "mobile", ("160", "170", "171", "172", "175"), 10, (3, 3, 4), "0"
    ),
    # China: Beijing 010, Shanghai 021, Shenzhen 0755, Guangzhou 020; mobiles 13x/15x/18x.
    NumberPlan("cn_beijing", "CN", "fixed", _digits("10", "234567"), 10, (2, 4, 4), "0"),
    NumberPlan("cn_shanghai", "CN", "fixed", _digits("21", "234567"), 10, (2, 4, 4), "0"),
    NumberPlan("cn_shenzhen", "CN", "fixed", ("755",), 11, (3, 4, 4), "0"),
    NumberPlan("cn_guangzhou", "CN", "fixed", ("20",), 10, (2, 4, 4), "0"),
    NumberPlan(
        "cn_mobile",
        "CN",
        "mobile",
        ("135", "138", "139", "150", "158", "186", "188"),
        11,
        (3, 4, 4),
        "",
    ),
    # France: 01 Paris, 04 72 Lyon, 04 91 Marseille, 05 61 Toulouse; mobiles 06/07.
    NumberPlan("fr_paris", "FR", "fixed", ("1",), 9, (1, 2, 2, 2, 2), "0"),
    NumberPlan("fr_lyon", "FR", "fixed", ("472",), 9, (1, 2, 2, 2, 2), "0"),
    NumberPlan("fr_marseille", "FR", "fixed", ("491",), 9, (1, 2, 2, 2, 2), "0"),
    NumberPlan("fr_toulouse", "FR", "fixed", ("561",), 9, (1, 2, 2, 2, 2), "0"),
    NumberPlan(
        "fr_mobile",
        "FR",
        "mobile",
        _digits("6", "0124578") + _digits("7", "345678"),
        9,
        (1, 2, 2, 2, 2),
        "0",
    ),
)


@dataclass(frozen=True)
class City:
    """A city with its region, postal-code shape and the number plan of its fixed lines."""

    country: str
    name: str
    state: str
    postal_prefixes: tuple[str, ...]
    postal_digits: int  # random digits after the prefix; GB uses an inward code instead
    fixed_plan: str  # name of a NumberPlan


CITIES: tuple[City, ...] = (
    City("US", "New York", "NY", ("100", "101"), 2, "us_new_york"),
    City("US", "San Francisco", "CA", ("941",), 2, "us_san_francisco"),
    City("US", "Chicago", "IL", ("606",), 2, "us_chicago"),
    City("US", "Boston", "MA", ("021",), 2, "us_boston"),
    City("US", "Los Angeles", "CA", ("900",), 2, "us_los_angeles"),
    City("US", "Seattle", "WA", ("981",), 2, "us_seattle"),
    City("US", "Austin", "TX", ("787",), 2, "us_austin"),
    City("US", "Atlanta", "GA", ("303",), 2, "us_atlanta"),
    City("GB", "London", "England", ("EC1A", "EC2M", "W1D", "SW1A", "N1", "E14"), 0, "gb_london"),
    City("GB", "Manchester", "England", ("M1", "M2", "M4"), 0, "gb_manchester"),
    City("GB", "Glasgow", "Scotland", ("G1", "G2"), 0, "gb_glasgow"),
    City("GB", "Birmingham", "England", ("B1", "B2", "B3"), 0, "gb_birmingham"),
    City("DE", "Berlin", "Berlin", ("10", "12"), 3, "de_berlin"),
    City("DE", "München", "Bayern", ("80", "81"), 3, "de_munich"),
    City("DE", "Hamburg", "Hamburg", ("20", "22"), 3, "de_hamburg"),
    City("DE", "Frankfurt am Main", "Hessen", ("60",), 3, "de_frankfurt"),
    City("CN", "Beijing", "Beijing", ("100",), 3, "cn_beijing"),
    City("CN", "Shanghai", "Shanghai", ("200",), 3, "cn_shanghai"),
    City("CN", "Shenzhen", "Guangdong", ("518",), 3, "cn_shenzhen"),
    City("CN", "Guangzhou", "Guangdong", ("510",), 3, "cn_guangzhou"),
    City("FR", "Paris", "Île-de-France", ("7500", "7501"), 1, "fr_paris"),
    City("FR", "Lyon", "Auvergne-Rhône-Alpes", ("6900",), 1, "fr_lyon"),
    City("FR", "Marseille", "Provence-Alpes-Côte d'Azur", ("1300", "1301"), 1, "fr_marseille"),
    City("FR", "Toulouse", "Occitanie", ("3100", "3150"), 1, "fr_toulouse"),
)

GB_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

STREETS: dict[str, tuple[str, ...]] = {
    "US": (
        "Main St",
        "Broadway",
        "Market Street",
        "5th Avenue",
        "Madison Ave",
        "Park Avenue",
        "Elm Street",
        "Oak St",
        "Mission St",
        "Congress Ave",
        "Peachtree St NE",
        "Pine Street",
    ),
    "GB": (
        "High Street",
        "King's Road",
        "Oxford Street",
        "Deansgate",
        "Station Road",
        "Church Lane",
        "Victoria Street",
        "Bishopsgate",
        "Queen Street",
        "Mill Lane",
    ),
    "DE": (
        "Hauptstraße",
        "Friedrichstraße",
        "Schillerstraße",
        "Bahnhofstraße",
        "Goethestraße",
        "Leopoldstraße",
        "Kaiserstraße",
        "Mönckebergstraße",
        "Gartenstraße",
        "Ringstraße",
    ),
    "CN": (
        "Nanjing Road",
        "Chang'an Avenue",
        "Huaihai Road",
        "Shennan Avenue",
        "Zhongshan Road",
        "Jianguo Road",
        "Tianhe Road",
        "Century Avenue",
    ),
    "FR": (
        "rue de Rivoli",
        "avenue de l'Opéra",
        "rue du Faubourg Saint-Honoré",
        "boulevard Haussmann",
        "rue de la République",
        "cours Lafayette",
        "rue Paradis",
        "allée Jean Jaurès",
        "rue Sainte-Catherine",
    ),
}

# Company names are ROOT + INDUSTRY, unique per company; the web domain follows the name.
COMPANY_ROOT_PREFIXES: tuple[str, ...] = (
    "North",
    "South",
    "East",
    "West",
    "Blue",
    "Red",
    "Green",
    "Silver",
    "Gold",
    "Iron",
    "Stone",
    "River",
    "Lake",
    "Sun",
    "Moon",
    "Star",
    "Bright",
    "Clear",
    "Swift",
    "Noble",
    "Prime",
    "Apex",
    "Summit",
    "Harbor",
    "Cedar",
    "Maple",
    "Oak",
    "Pine",
    "Willow",
    "Falcon",
    "Eagle",
    "Hawk",
    "Fox",
    "Wolf",
    "Bear",
    "Lion",
    "Arrow",
    "Anchor",
    "Beacon",
    "Bridge",
    "Crown",
    "Delta",
    "Echo",
    "Ember",
    "Frost",
    "Granite",
    "Horizon",
    "Indigo",
    "Jade",
    "Keystone",
    "Lumen",
    "Meridian",
    "Nova",
    "Orbit",
    "Pioneer",
    "Quartz",
    "Ridge",
    "Sierra",
    "Terra",
    "Ultra",
    "Vertex",
    "Vista",
    "Zenith",
    "Amber",
    "Birch",
    "Cobalt",
    "Dune",
    "Evergreen",
    "Fern",
    "Glacier",
    "Hollow",
    "Ivory",
    "Juniper",
    "Kestrel",
    "Lunar",
    "Marble",
    "Nimbus",
    "Onyx",
)
COMPANY_ROOT_STEMS: tuple[str, ...] = (
    "wind",
    "peak",
    "line",
    "field",
    "gate",
    "wood",
    "brook",
    "stone",
    "light",
    "point",
    "view",
    "bridge",
    "ridge",
    "port",
    "well",
    "wave",
    "crest",
    "haven",
    "works",
    "spring",
    "path",
    "shore",
    "vale",
    "mark",
    "side",
    "forge",
    "star",
    "bay",
    "land",
    "stream",
    "hill",
    "ford",
    "mont",
    "dale",
    "wick",
    "ton",
    "ley",
    "more",
    "hurst",
    "by",
    "cliff",
    "glen",
    "moor",
    "holm",
    "worth",
    "stead",
    "mere",
    "combe",
    "fell",
    "garth",
)
COMPANY_INDUSTRIES: tuple[str, ...] = (
    "Analytics",
    "Logistics",
    "Systems",
    "Software",
    "Consulting",
    "Partners",
    "Capital",
    "Industries",
    "Manufacturing",
    "Foods",
    "Pharma",
    "Robotics",
    "Energy",
    "Media",
    "Labs",
    "Networks",
    "Solutions",
    "Technologies",
    "Retail",
    "Holdings",
    "Engineering",
    "Health",
    "Insurance",
    "Security",
    "Dynamics",
    "Materials",
    "Ventures",
    "Digital",
    "Devices",
    "Biotech",
    "Telecom",
    "Textiles",
    "Motors",
    "Aerospace",
    "Chemicals",
    "Marine",
    "Studios",
    "Research",
    "Services",
    "Instruments",
)

# Legal suffix per country: the canonical form first, then the ways records spell it.
LEGAL_SUFFIXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "US": (
        ("Inc", "Inc.", ", Inc.", "Incorporated", "INC"),
        ("LLC", "L.L.C.", ", LLC"),
        ("Corp", "Corp.", "Corporation"),
    ),
    "GB": (("Ltd", "Ltd.", "Limited", "LTD"), ("PLC", "plc", "Plc")),
    "DE": (("GmbH", "GMBH", "Gmbh"), ("AG", "A.G.")),
    "CN": (("Co., Ltd.", "Co. Ltd", "Co Ltd", "Company Limited"),),
    "FR": (("SAS", "S.A.S."), ("SA", "S.A."), ("SARL", "S.A.R.L.", "Sarl")),
}

JOB_TITLES: tuple[str, ...] = (
    "Chief Executive Officer",
    "Chief Financial Officer",
    "Chief Technology Officer",
    "VP Sales",
    "VP Marketing",
    "VP Engineering",
    "Head of Procurement",
    "Head of IT",
    "Head of Operations",
    "Sales Director",
    "Marketing Manager",
    "Account Manager",
    "Office Manager",
    "Operations Manager",
    "Purchasing Manager",
    "IT Manager",
    "Software Engineer",
    "Data Analyst",
    "Product Manager",
    "Project Manager",
    "HR Manager",
    "Finance Manager",
    "Controller",
    "Business Development Manager",
    "Customer Success Manager",
    "Solutions Architect",
    "Procurement Specialist",
    "Executive Assistant",
    "General Counsel",
    "Facilities Manager",
)
JOB_TITLE_ABBREVIATIONS: dict[str, str] = {
    "Chief Executive Officer": "CEO",
    "Chief Financial Officer": "CFO",
    "Chief Technology Officer": "CTO",
    "VP Sales": "Vice President, Sales",
    "VP Marketing": "Vice President Marketing",
    "VP Engineering": "V.P. Engineering",
    "Software Engineer": "Sr. Software Engineer",
    "Account Manager": "Acct Mgr",
}

ROLE_MAILBOXES: tuple[str, ...] = ("info", "sales", "office", "contact", "hello", "admin")

# Given name -> the short forms records use for the same person.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"),
    "William": ("Bill", "Will", "Billy"),
    "Elizabeth": ("Liz", "Beth", "Betty"),
    "James": ("Jim", "Jimmy"),
    "John": ("Jack", "Johnny"),
    "Richard": ("Rick", "Rich", "Dick"),
    "Michael": ("Mike", "Mick"),
    "Thomas": ("Tom", "Tommy"),
    "Charles": ("Charlie", "Chuck"),
    "Joseph": ("Joe", "Joey"),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Anthony": ("Tony",),
    "Christopher": ("Chris",),
    "Andrew": ("Andy", "Drew"),
    "Edward": ("Ed", "Ted", "Eddie"),
    "Steven": ("Steve",),
    "Stephen": ("Steve",),
    "Jonathan": ("Jon",),
    "Nicholas": ("Nick",),
    "Benjamin": ("Ben",),
    "Samuel": ("Sam",),
    "Alexander": ("Alex",),
    "Timothy": ("Tim",),
    "Patrick": ("Pat",),
    "Gregory": ("Greg",),
    "Jennifer": ("Jen", "Jenny"),
    "Katherine": ("Kate", "Katie"),
    "Catherine": ("Cathy", "Kate"),
    "Margaret": ("Maggie", "Peggy", "Meg"),
    "Patricia": ("Pat", "Patty", "Trish"),
    "Susan": ("Sue", "Susie"),
    "Deborah": ("Debbie", "Deb"),
    "Rebecca": ("Becky",),
    "Victoria": ("Vicky", "Tori"),
    "Jessica": ("Jess",),
    "Abigail": ("Abby",),
    "Samantha": ("Sam",),
    "Kimberly": ("Kim",),
    "Judith": ("Judy",),
    "Barbara": ("Barb",),
    "Pamela": ("Pam",),
    "Cynthia": ("Cindy",),
    "Theodore": ("Ted", "Theo"),
    "Frederick": ("Fred",),
    "Lawrence": ("Larry",),
    "Ronald": ("Ron",),
    "Donald": ("Don",),
    "Kenneth": ("Ken",),
    "Raymond": ("Ray",),
    "Gerald": ("Jerry",),
    "Douglas": ("Doug",),
    "Peter": ("Pete",),
    "Philip": ("Phil",),
    "Zachary": ("Zach",),
    "Joshua": ("Josh",),
    "Nathaniel": ("Nate",),
    "Jacob": ("Jake",),
    "Vincent": ("Vince",),
    "David": ("Dave",),
    "Johannes": ("Hans",),
    "Maximilian": ("Max",),
    "Friedrich": ("Fritz",),
    "Katharina": ("Kathi",),
    "Stefanie": ("Steffi",),
    "Susanne": ("Susi",),
    "Wolfgang": ("Wolf",),
    "Nicolas": ("Nico",),
    "Frédéric": ("Fred",),
    "Christophe": ("Chris",),
    "Alexandre": ("Alex",),
    "Emmanuel": ("Manu",),
    "Isabelle": ("Isa",),
}

# Keyboard neighbours for substitution typos.
KEYBOARD_NEIGHBOURS: dict[str, str] = {
    "a": "qsz",
    "b": "vgn",
    "c": "xdv",
    "d": "sfe",
    "e": "wrd",
    "f": "dgr",
    "g": "fht",
    "h": "gjy",
    "i": "uok",
    "j": "hku",
    "k": "jli",
    "l": "ko",
    "m": "nj",
    "n": "bmh",
    "o": "ipl",
    "p": "o",
    "q": "wa",
    "r": "etf",
    "s": "adw",
    "t": "ryg",
    "u": "yij",
    "v": "cbf",
    "w": "qes",
    "x": "zcs",
    "y": "tuh",
    "z": "xa",
}

# What a CRM field holds when a phone number was never really captured.
# Junk in a phone field, a valid number in no region.
JUNK_PHONES: tuple[str, ...] = (
    "N/A",
    "n/a",
    "000",
    "0",
    "TBD",
    "unknown",
    "12345",
    "-",
    "0000000000",
    "000-000-0000",
)
# Junk only where a US reader parses it: 1234567890 is a Bedford number to a UK reader.
US_JUNK_PHONES: tuple[str, ...] = ("1234567890", "555-555-5555")
