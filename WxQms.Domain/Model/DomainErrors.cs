namespace WxQms.Domain.Model;

/// <summary>Something the caller asked for does not exist. Hosts answer 404 with the code.</summary>
public sealed class NotFoundException(string message, string code = "not_found") : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>A request that breaks a business rule. Hosts answer 409 (or a polite bot reply) with the code.</summary>
public sealed class RuleViolationException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>Someone changed the thing since the caller read it. Hosts answer 409 with the code.</summary>
public sealed class ConflictException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>The caller's role or org scope does not allow this. Hosts answer 403 with the code.</summary>
public sealed class ForbiddenException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>A configured abuse limit is reached (posts per day, open claims). Hosts answer 429 with the code.</summary>
public sealed class LimitExceededException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>WeChat could not make the QR code; hosts answer 503 and nothing is half-made.</summary>
public sealed class WechatUnavailableException(string message) : Exception(message);
