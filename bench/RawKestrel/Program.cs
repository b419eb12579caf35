// Raw Kestrel: the ceiling of the WsgiHost benchmark. The same HTTP stack WsgiHost uses
// (empty WebApplication builder + Kestrel core, no Server header, no logging), with the
// responses written directly in C#: no Python, no WSGI gateway, no thread hand-off.
//
// usage: RawKestrel [--port N] [--mode hello|echo|stream]
//   Listens on 127.0.0.1 only (default port 8000).
//   hello   every request: 200, Content-Type: text/plain, Content-Length: 13, "Hello, World!"
//   echo    every request: read the whole request body, answer its length in decimal
//           (text/plain) -- the bytes apps/echo.wsgi produces
//   stream  every request: 1 MiB of 'x' (application/octet-stream, Content-Length: 1048576)
//           written in 16 chunks of 64 KiB -- the bytes apps/stream.wsgi produces
// Whatever the mode, the paths /hello, /echo and /stream always answer as that mode.
using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WsgiHost.Server;

int port = 8000;
string mode = "hello";
for (int i = 0; i < args.Length; i++)
{
    string arg = args[i];
    string value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
    switch (arg)
    {
        case "--port":
            port = int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
            break;
        case "--mode":
            mode = value;
            break;
        default:
            await Console.Error.WriteLineAsync($"RawKestrel: unknown option '{arg}'").ConfigureAwait(false);
            return 2;
    }
}

RequestDelegate byMode = mode switch
{
    "hello" => Responses.HelloAsync,
    "echo" => Responses.EchoAsync,
    "stream" => Responses.StreamAsync,
    _ => throw new ArgumentException($"--mode must be hello, echo or stream, got '{mode}'"),
};

var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
{
    options.AddServerHeader = false;
    options.Limits.MaxRequestBodySize = null;   // as WsgiHost
    options.Listen(IPAddress.Loopback, port);   // 127.0.0.1 only
});
// The transport as WsgiHost sets it up (WsgiServer): 128 KiB blocks, and the same read-ahead
// (RequestLimits.MinReadAheadBytes), so an upload costs the same receives and pipe wake-ups.
builder.WebHost.UseSockets(o => o.MaxReadBufferSize = 256 * 1024);
builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockMemoryPool.Factory>();
builder.Logging.ClearProviders();
WebApplication app = builder.Build();
app.Run(context => context.Request.Path.Value switch
{
    "/hello" => Responses.HelloAsync(context),
    "/echo" => Responses.EchoAsync(context),
    "/stream" => Responses.StreamAsync(context),
    _ => byMode(context),
});
await app.StartAsync().ConfigureAwait(false);
Console.Out.WriteLine($"RawKestrel ({mode}) listening on http://127.0.0.1:{port}");

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); }))
using (PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); }))
{
    await stop.Task.ConfigureAwait(false);
}
await app.StopAsync().ConfigureAwait(false);
await app.DisposeAsync().ConfigureAwait(false);
return 0;

internal static class Responses
{
    private static readonly byte[] Hello = Encoding.ASCII.GetBytes("Hello, World!");
    private static readonly byte[] Chunk = CreateChunk();
    private const int ChunkCount = 16;   // 16 x 64 KiB = 1 MiB

    private static byte[] CreateChunk()
    {
        byte[] chunk = new byte[65536];
        Array.Fill(chunk, (byte)'x');
        return chunk;
    }

    public static Task HelloAsync(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/plain";
        response.ContentLength = Hello.Length;
        return response.Body.WriteAsync(Hello, context.RequestAborted).AsTask();
    }

    public static async Task EchoAsync(HttpContext context)
    {
        // Consume the body straight from Kestrel's pipe (no copy): the cheapest way to read it.
        PipeReader reader = context.Request.BodyReader;
        long total = 0;
        while (true)
        {
            ReadResult result = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            total += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }
        byte[] body = Encoding.ASCII.GetBytes(total.ToString(CultureInfo.InvariantCulture));
        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/plain";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    public static async Task StreamAsync(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/octet-stream";
        response.ContentLength = (long)Chunk.Length * ChunkCount;
        for (int i = 0; i < ChunkCount; i++)
        {
            await response.Body.WriteAsync(Chunk, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
