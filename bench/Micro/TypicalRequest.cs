using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace WsgiHost.Benchmarks;

/// <summary>
/// A browser's GET as Kestrel hands it over: 13 headers (cookies, Accept-*, Sec-Fetch-*,
/// a forwarded-for from a load balancer) and a query string, on a plain HTTP connection.
/// </summary>
internal static class TypicalRequest
{
    public const string RawTarget = "/shop/products/42/reviews?page=3&sort=newest&filter=verified%20only&utm_source=newsletter";

    public static DefaultHttpContext Create()
    {
        var context = new DefaultHttpContext();
        HttpRequest request = context.Request;
        request.Method = "GET";
        request.Protocol = "HTTP/1.1";
        request.Scheme = "http";
        request.Path = "/shop/products/42/reviews";
        request.QueryString = new QueryString("?page=3&sort=newest&filter=verified%20only&utm_source=newsletter");
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = RawTarget;
        IHeaderDictionary headers = request.Headers;
        headers.Host = "site42.example.com:8080";
        headers.UserAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        headers.Accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        headers.AcceptLanguage = "en-GB,en;q=0.7,de;q=0.3";
        headers.AcceptEncoding = "gzip, deflate, br, zstd";
        headers.Referer = "http://site42.example.com:8080/shop/products/42";
        headers.Cookie = "sessionid=3kq9x0c1v5m2n8b7z6l4j3h2g1f0d9s8; csrftoken=Q2Fh7ZkP1mX9wL3vB8nR4tY6uJ0cE5dA; theme=dark";
        headers.Connection = "keep-alive";
        headers.UpgradeInsecureRequests = "1";
        headers["Sec-Fetch-Dest"] = "document";
        headers["Sec-Fetch-Mode"] = "navigate";
        headers["Sec-Fetch-Site"] = "same-origin";
        headers["X-Forwarded-For"] = "203.0.113.7";
        context.Connection.LocalIpAddress = IPAddress.Parse("127.0.0.1");
        context.Connection.LocalPort = 8080;
        context.Connection.RemoteIpAddress = IPAddress.Parse("127.0.0.1");
        context.Connection.RemotePort = 51234;
        context.TraceIdentifier = "0HN8J3K4L5M6N:00000001";
        return context;
    }
}
