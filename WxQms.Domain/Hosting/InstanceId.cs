namespace WxQms.Domain.Hosting;

/// <summary>Names this process in logs and locks, so "which instance did that" has an answer.</summary>
public static class InstanceId
{
    public static readonly string Value = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";
}
