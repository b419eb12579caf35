using WsgiHost.Python.Interop;

namespace WsgiHost.Tests.Interop;

/// <summary>
/// statx-based modification times agree with .NET's, to the 100 ns tick, and every way a deploy
/// or an editor changes a script is seen by the next call, although the file is stat'ed again
/// only after inotify reported a change on its path.
/// </summary>
// Alone: the shared notifier's version counts changes anywhere it watches, so another test's
// file written meanwhile made AnUnchangedFileIsNotStatedAgain see one stat more (seen once).
[Collection(nameof(FileTimesTests))]
public sealed class FileTimesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wsgihost-times-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly DateTime Later = new DateTime(2030, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234567);

    [Fact]
    public void TheTimeIsWhatDotNetReportsAndFollowsChanges()
    {
        string path = Path.Combine(_dir, "app é.wsgi");
        File.WriteAllText(path, "x");
        var times = new FileTimes(path);
        Assert.Equal(File.GetLastWriteTimeUtc(path), times.LastWriteUtc());
        File.SetLastWriteTimeUtc(path, Later);
        Assert.Equal(Later, times.LastWriteUtc());
    }

    [Fact]
    public void AMissingFileHasNoTime()
    {
        Assert.Null(new FileTimes(Path.Combine(_dir, "missing.wsgi")).LastWriteUtc());
        Assert.Null(new FileTimes(Path.Combine(_dir, "no-dir", "x.wsgi")).LastWriteUtc());
    }

    [Fact]
    public void AnUnchangedFileIsNotStatedAgain()
    {
        Assert.NotNull(FileChangeNotifier.Shared); // Linux: WsgiHost's platform
        string path = Write("app.wsgi", "x");
        var times = new FileTimes(path);
        DateTime? first = times.LastWriteUtc();
        int stats = times.Stats;
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(first, times.LastWriteUtc());
        }
        Assert.Equal(stats, times.Stats);
        File.SetLastWriteTimeUtc(path, Later);
        Assert.Equal(Later, times.LastWriteUtc());
        Assert.Equal(stats + 1, times.Stats);
    }

    [Fact]
    public void ACheckIsAnsweredByAReadThatBeganAfterTheRequestArrivedAndByNoOlderOne()
    {
        FileChangeNotifier notifier = FileChangeNotifier.Create()!;
        string path = Write("app.wsgi", "x");
        var times = new FileTimes(path, notifier);
        long arrived = System.Diagnostics.Stopwatch.GetTimestamp();
        DateTime? first = times.LastWriteUtc(arrived);
        int reads = notifier.Reads;

        // The same request checked again (a daemon worker, then the gateway): the read made since it arrived serves.
        Assert.Equal(first, times.LastWriteUtc(arrived));
        Assert.Equal(reads, notifier.Reads);

        // A request that arrives after a change gets a read of its own, which sees the change.
        File.SetLastWriteTimeUtc(path, Later);
        Assert.Equal(Later, times.LastWriteUtc(System.Diagnostics.Stopwatch.GetTimestamp()));
        Assert.Equal(reads + 1, notifier.Reads);
    }

    [Fact]
    public void AWriteInPlaceIsSeen()
    {
        string path = Write("app.wsgi", "x");
        var times = new FileTimes(path);
        _ = times.LastWriteUtc();
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.Write("y"u8);
            File.SetLastWriteTimeUtc(stream.SafeFileHandle, Later);
        }
        Assert.Equal(Later, times.LastWriteUtc());
    }

    [Fact]
    public void AFileReplacedByARenameIsSeenAndSoAreLaterChangesToTheNewFile()
    {
        string path = Write("app.wsgi", "x");
        var times = new FileTimes(path);
        _ = times.LastWriteUtc();
        string next = Write("app.wsgi.new", "y");
        File.SetLastWriteTimeUtc(next, Later);
        File.Move(next, path, overwrite: true);
        Assert.Equal(Later, times.LastWriteUtc());
        // The watch now follows the new inode.
        File.SetLastWriteTimeUtc(path, Later.AddDays(1));
        Assert.Equal(Later.AddDays(1), times.LastWriteUtc());
    }

    [Fact]
    public void ADeletedFileIsMissingUntilItIsBack()
    {
        string path = Write("app.wsgi", "x");
        var times = new FileTimes(path);
        Assert.NotNull(times.LastWriteUtc());
        File.Delete(path);
        Assert.Null(times.LastWriteUtc());
        Assert.Null(times.LastWriteUtc());
        Write("app.wsgi", "y");
        File.SetLastWriteTimeUtc(path, Later);
        Assert.Equal(Later, times.LastWriteUtc());
    }

    [Fact]
    public void ASymlinkSwappedOnThePathIsSeen()
    {
        // A deploy's "current -> releases/N" switched to the next release.
        string one = Path.Combine(_dir, "releases", "1");
        string two = Path.Combine(_dir, "releases", "2");
        Directory.CreateDirectory(one);
        Directory.CreateDirectory(two);
        File.WriteAllText(Path.Combine(one, "app.wsgi"), "1");
        File.WriteAllText(Path.Combine(two, "app.wsgi"), "2");
        File.SetLastWriteTimeUtc(Path.Combine(two, "app.wsgi"), Later);
        string current = Path.Combine(_dir, "current");
        File.CreateSymbolicLink(current, one);
        var times = new FileTimes(Path.Combine(current, "app.wsgi"));
        Assert.Equal(File.GetLastWriteTimeUtc(Path.Combine(one, "app.wsgi")), times.LastWriteUtc());

        string swap = Path.Combine(_dir, "current.tmp");
        File.CreateSymbolicLink(swap, two);
        Assert.Equal(0, rename(swap, current)); // atomic, as `mv -T` (File.Move refuses a link to a directory)
        Assert.Equal(Later, times.LastWriteUtc());
        // and the new target's own changes are watched from then on
        File.SetLastWriteTimeUtc(Path.Combine(two, "app.wsgi"), Later.AddDays(2));
        Assert.Equal(Later.AddDays(2), times.LastWriteUtc());
    }

    [Fact]
    public void ADirectoryOnThePathRenamedAwayMakesTheFileMissing()
    {
        string site = Path.Combine(_dir, "site");
        Directory.CreateDirectory(Path.Combine(site, "app"));
        string path = Path.Combine(site, "app", "app.wsgi");
        File.WriteAllText(path, "x");
        var times = new FileTimes(path);
        Assert.NotNull(times.LastWriteUtc());
        Directory.Move(site, Path.Combine(_dir, "site-old"));
        Assert.Null(times.LastWriteUtc());
    }

    [Fact]
    public void EveryWatcherOfTheProcessSeesItsOwnChange()
    {
        // One inotify instance serves every file: an event for one makes the others stat once
        // more, never miss their own.
        string a = Write("a.wsgi", "a");
        string b = Write("b.wsgi", "b");
        var timesA = new FileTimes(a);
        var timesB = new FileTimes(b);
        _ = timesA.LastWriteUtc();
        _ = timesB.LastWriteUtc();
        File.SetLastWriteTimeUtc(a, Later);
        Assert.Equal(Later, timesA.LastWriteUtc());
        File.SetLastWriteTimeUtc(b, Later.AddHours(1));
        Assert.Equal(Later.AddHours(1), timesB.LastWriteUtc());
        Assert.Equal(Later, timesA.LastWriteUtc());
    }

    [Fact]
    public void WithoutANotifierEveryCallStats()
    {
        string path = Write("app.wsgi", "x");
        var times = new FileTimes(path, notifier: null);
        for (int i = 0; i < 5; i++)
        {
            _ = times.LastWriteUtc();
        }
        Assert.Equal(5, times.Stats);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int rename(string from, string to);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}

[CollectionDefinition(nameof(FileTimesTests), DisableParallelization = true)]
public sealed class FileTimesCollection;
