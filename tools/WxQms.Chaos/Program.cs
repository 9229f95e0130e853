// The fault suite's two tools (scripts/chaos.sh):
//   WxQms.Chaos proxy <listen url> <backend url> <backend url>   round-robin over two Apis (YARP), /healthz checked every second
//   WxQms.Chaos load                                               the mixed load, then the checks (settings from CHAOS_* variables)
if (args is ["proxy", var listen, .. var backends] && backends.Length > 0)
{
    await WxQms.Chaos.RoundRobinProxy.RunAsync(listen, backends);
    return 0;
}
if (args is ["load"])
    return await WxQms.Chaos.ChaosLoad.RunAsync();
Console.Error.WriteLine("usage: WxQms.Chaos proxy <listen> <backend>... | WxQms.Chaos load");
return 2;
