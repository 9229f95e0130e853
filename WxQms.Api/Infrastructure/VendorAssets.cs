using Microsoft.Extensions.FileProviders;

namespace WxQms.Api.Infrastructure;

/// <summary>
/// The browser libraries our pages load, served from our own build rather than a CDN (a subdistrict's network may
/// not reach one, and a page must not run someone else's script): <c>scripts/vendor.sh</c> installs the versions
/// pinned in <c>WxQms.Api/vendor/package.json</c>, and each package's built files are served under its own prefix,
/// e.g. <c>/vendor/echarts/echarts.min.js</c>, <c>/vendor/pannellum/pannellum.js</c>. A page names the file it needs;
/// nothing outside a package's build folder is reachable.
/// </summary>
public static class VendorAssets
{
    /// <summary>URL prefix → the package's folder of built files under <c>vendor/node_modules</c>.</summary>
    private static readonly (string Prefix, string Folder)[] Packages =
    [
        ("/vendor/echarts", "echarts/dist"),
        ("/vendor/pannellum", "pannellum/build"),
    ];

    /// <summary>A day in browsers' caches: the versions are pinned, and a new version comes with a release.</summary>
    private const string CacheControl = "public, max-age=86400";

    public static WebApplication UseVendorAssets(this WebApplication app)
    {
        var root = Path.Combine(app.Environment.ContentRootPath, "vendor", "node_modules");
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(VendorAssets));
        foreach (var (prefix, folder) in Packages)
        {
            var path = Path.Combine(root, folder);
            if (!Directory.Exists(path))
            {
                log.LogWarning("{Prefix} is not served: {Path} is missing (run scripts/vendor.sh)", prefix, path);
                continue;
            }
            app.UseStaticFiles(new StaticFileOptions
            {
                RequestPath = prefix,
                FileProvider = new PhysicalFileProvider(path),
                OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = CacheControl,
            });
        }
        return app;
    }
}
