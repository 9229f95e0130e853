using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WxQms.Domain.Wechat;
using WxQms.Tests.Infrastructure;

namespace WxQms.Tests.Browser;

/// <summary>
/// The Api on a real Kestrel port (127.0.0.1, a free port), for a real browser. Everything that
/// usually crosses the in-memory test server goes over that port instead: the browser, our WeChat
/// client calling the sandbox (<c>Wechat:ApiBase</c>) and the sandbox pushing to our callback
/// (<c>Wechat:Sandbox:CallbackBase</c>). Those addresses are known only once Kestrel listens, so
/// they come from a configuration source set after the start, which the options monitor reloads.
/// </summary>
public sealed class PhoneApp : WxQmsApp
{
    /// <summary>Port 9 (discard): a call made before the real port is set fails at once, visibly.</summary>
    private const string Unset = "http://127.0.0.1:9";

    private readonly LateConfiguration late = new(new Dictionary<string, string?>
    {
        ["Wechat:ApiBase"] = $"{Unset}/sandbox/wechat",
        ["Wechat:OpenBase"] = $"{Unset}/sandbox/open",
        ["Wechat:Sandbox:CallbackBase"] = Unset,
        ["Bot:PublicBase"] = Unset,
        ["Wechat:Pay:ApiBase"] = $"{Unset}/sandbox/wechat",
        ["Wechat:Pay:NotifyUrl"] = $"{Unset}/wechat/pay/notify",
    });

    private readonly bool realClock;

    /// <param name="realClock">
    /// Run on the system clock instead of the shared fake one: for tests where other processes (Jobs)
    /// work beside this app and their timestamps must agree with its own.
    /// </param>
    public PhoneApp(bool realClock = false)
    {
        this.realClock = realClock;
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
    }

    protected override TimeProvider AppClock => realClock ? TimeProvider.System : base.AppClock;

    /// <summary>Holds the sandbox's template sends while a test keeps it closed.</summary>
    public RequestGate TemplateSends { get; } = new("/sandbox/wechat/cgi-bin/message/template/send");

    /// <summary>http://127.0.0.1:{port}, once started.</summary>
    public Uri BaseAddress { get; private set; } = new(Unset);

    // Server.CreateHandler() belongs to the in-memory TestServer, which Kestrel mode does not have.
    protected override HttpMessageHandler CreateWechatHandler() => new SocketsHttpHandler { UseProxy = false };

    protected override HttpMessageHandler CreateCallbackHandler() => new SocketsHttpHandler { UseProxy = false };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureAppConfiguration(c => c.Add(late)); // added last, so it wins
        builder.ConfigureServices(s => s.AddSingleton(TemplateSends.Filter()));
    }

    public override async ValueTask InitializeAsync()
    {
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseAddress = new Uri(address.TrimEnd('/'));
        late.Set(new Dictionary<string, string?>
        {
            ["Wechat:ApiBase"] = $"{address}/sandbox/wechat",
            ["Wechat:OpenBase"] = $"{address}/sandbox/open",
            ["Wechat:Sandbox:CallbackBase"] = address,
            ["Bot:PublicBase"] = address, // where WeChat sends the browser back after OAuth
            ["Wechat:Pay:ApiBase"] = $"{address}/sandbox/wechat",
            ["Wechat:Pay:NotifyUrl"] = $"{address}/wechat/pay/notify",
        });
        // IOptions<T> keeps its first value for good: nothing may have read it before the port was known.
        var apiBase = Get<IOptions<WechatOptions>>().Value.ApiBase;
        if (apiBase != $"{address}/sandbox/wechat")
            throw new InvalidOperationException($"Wechat:ApiBase was read before Kestrel listened ({apiBase}); read it lazily");
        await base.InitializeAsync();
    }

    /// <summary>Configuration values that can change after the host started; a change reloads the options.</summary>
    private sealed class LateConfiguration(Dictionary<string, string?> values) : ConfigurationProvider, IConfigurationSource
    {
        private readonly Lock gate = new();

        public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

        /// <summary>(Re)loads the latest values, never the first ones again.</summary>
        public override void Load()
        {
            lock (gate)
            {
                foreach (var (key, value) in values)
                    Data[key] = value;
            }
        }

        public void Set(IReadOnlyDictionary<string, string?> changed)
        {
            lock (gate)
            {
                foreach (var (key, value) in changed)
                    values[key] = value;
            }
            Load();
            OnReload();
        }
    }
}
