# A 33 KB HTML page, as a list view of a site renders one (a table of 200 products with links
# and prices), the same bytes every time: what compression costs and saves per page is the
# subject (bench/compress.sh), not the template engine. Content-Length is given, as Django's
# and Flask's responses give it.
NAMES = ['Walnut desk', 'Linen shirt', 'Cast iron pan', 'Wool blanket', 'Desk lamp', 'Tea kettle']
ROWS = ''.join(
    '<tr class="%s"><td><a href="/products/%d/">%s no. %d</a></td><td>%s</td><td class="price">%d.%02d EUR</td>'
    '<td><span class="tag">%s</span></td></tr>\n'
    % ('odd' if i % 2 else 'even', 1000 + i, NAMES[i % len(NAMES)], i, 'in stock' if i % 7 else 'back soon',
       10 + i * 37 % 190, i * 13 % 100, ['new', 'sale', 'popular'][i % 3])
    for i in range(200))
PAGE = ('<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Products</title>'
        '<link rel="stylesheet" href="/static/site.css"></head>\n<body><h1>Products</h1>\n'
        '<table class="products"><thead><tr><th>Product</th><th>Availability</th><th>Price</th><th>Tag</th></tr></thead>\n'
        '<tbody>\n' + ROWS + '</tbody></table>\n</body></html>\n').encode('utf-8')
HEADERS = [('Content-Type', 'text/html; charset=utf-8'), ('Content-Length', str(len(PAGE)))]


def application(environ, start_response):
    start_response('200 OK', list(HEADERS))
    return [PAGE]
