// A minimal API host serving a .NET endpoint and a Flask app (WSGI) side by side, behind one
// authorization policy. See README.md.
using WsgiHost.AspNetCore;
using WsgiHost.Examples.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

// One embedded CPython for the process: which one, sys.path additions, WSGI threads.
// appsettings.json's "Wsgi" section fills the options (Python: /usr/bin/python3).
// With --Notes:Daemon="processes=2 threads=4" (WSGIDaemonProcess's options), Flask runs in two
// worker processes of a daemon process group instead, and this process never loads Python.
string? daemon = builder.Configuration["Notes:Daemon"];
builder.Services.AddWsgi(options =>
{
    builder.Configuration.GetSection("Wsgi").Bind(options);
    if (daemon != null)
    {
        options.AddDaemonProcess("notes", daemon);
    }
});

builder.Services.AddAuthentication(HeaderAuthenticationHandler.SchemeName)
    .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeaderAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorizationBuilder()
    .AddPolicy("members", policy => policy.RequireAuthenticatedUser().RequireRole("member"));

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

app.MapGet("/api/hello", (System.Security.Claims.ClaimsPrincipal user) => new { message = "hello from .NET", user = user.Identity?.Name })
    .RequireAuthorization("members");

// The Flask app of examples/sites at /notes and below; the same policy covers it, and the
// authenticated user reaches Flask as REMOTE_USER.
string notes = builder.Configuration["Notes:Script"] ?? Path.Combine(AppContext.BaseDirectory, "apps", "notes.wsgi");
app.MapWsgi("/notes", notes, wsgi => wsgi.ProcessGroup = daemon != null ? "notes" : "").RequireAuthorization("members");

app.Run();
