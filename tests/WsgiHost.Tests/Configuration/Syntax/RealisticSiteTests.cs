using WsgiHost.Configuration.Syntax;

namespace WsgiHost.Tests.Configuration.Syntax;

public sealed class RealisticSiteTests : IDisposable
{
    private readonly TempConfigFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void ASiteWithTwoVirtualHostsAndAConfDFolderReadsAsOneTree()
    {
        _folder.Write("conf.d/10-logging.conf", """
            # Logging shared by every host
            LogFormat "%h %l %u %t \"%r\" %>s %b" common
            <IfModule log_config_module>
                CustomLog ${LOGS}/access.log common
            </IfModule>
            """);
        _folder.Write("conf.d/20-wsgi.conf", """
            <IfModule mod_wsgi.c>
                WSGIPythonHome ${VENV}
                WSGIRestrictEmbedded On
            </IfModule>
            """);
        _folder.Write("conf.d/README", "Files here ending in .conf are read in order.");
        _folder.Write("conf/httpd.conf", """
            ServerRoot "${TOP}"
            Define SITE ${TOP}/srv/site
            Define VENV ${SITE}/venv
            Define LOGS ${SITE}/logs

            Listen 80
            <IfModule mod_ssl.c>
                Listen 443
            </IfModule>
            <IfModule mod_php7.c>
                php_value memory_limit 64M
            </IfModule>

            IncludeOptional conf.d/*.conf

            WSGIDaemonProcess example python-home=${VENV} \
                processes=2 threads=15 display-name=%{GROUP}

            <VirtualHost *:80>
                ServerName www.example.com
                ServerAlias example.com
                WSGIScriptAlias / ${SITE}/app.wsgi process-group=example application-group=%{GLOBAL}
                Alias /static/ "${SITE}/static/"
                <Directory ${SITE}>
                    <Files app.wsgi>
                        Require all granted
                    </Files>
                </Directory>
            </VirtualHost>

            <VirtualHost *:443>
                ServerName www.example.com
                <IfDefine !NO_SSL>
                    SSLEngine on
                    SSLCertificateFile ${SITE}/tls/cert.pem
                </IfDefine>
                WSGIScriptAlias / ${SITE}/app.wsgi process-group=example application-group=%{GLOBAL}
            </VirtualHost>
            """);

        var top = _folder.Root;
        var options = new ConfigReaderOptions { Defines = new Dictionary<string, string> { ["TOP"] = top } };
        var result = ConfigReader.ReadFile(_folder.PathOf("conf/httpd.conf"), options);

        Tree.NoDiagnostics(result);
        var site = $"{top}/srv/site";
        Assert.Equal($"""
            ServerRoot|{top}
            Listen|80
            Listen|443
            LogFormat|%h %l %u %t "%r" %>s %b|common
            CustomLog|{site}/logs/access.log|common
            WSGIPythonHome|{site}/venv
            WSGIRestrictEmbedded|On
            WSGIDaemonProcess|example|python-home={site}/venv|processes=2|threads=15|display-name=%{"{GROUP}"}
            <VirtualHost>|*:80
              ServerName|www.example.com
              ServerAlias|example.com
              WSGIScriptAlias|/|{site}/app.wsgi|process-group=example|application-group=%{"{GLOBAL}"}
              Alias|/static/|{site}/static/
              <Directory>|{site}
                <Files>|app.wsgi
                  Require|all|granted
            <VirtualHost>|*:443
              ServerName|www.example.com
              SSLEngine|on
              SSLCertificateFile|{site}/tls/cert.pem
              WSGIScriptAlias|/|{site}/app.wsgi|process-group=example|application-group=%{"{GLOBAL}"}
            """, Tree.Show(result.Nodes));

        var httpd = _folder.PathOf("conf/httpd.conf");
        Assert.Equal(new SourceLocation(_folder.PathOf("conf.d/10-logging.conf"), 4), result.Nodes[4].Location);
        Assert.Equal(new SourceLocation(_folder.PathOf("conf.d/20-wsgi.conf"), 2), result.Nodes[5].Location);
        Assert.Equal(new SourceLocation(httpd, 16), result.Nodes[7].Location);
        Assert.Equal(new SourceLocation(httpd, 19), result.Nodes[8].Location);
        Assert.Equal(new SourceLocation(httpd, 35), result.Nodes[9].Children[2].Location);
    }
}
