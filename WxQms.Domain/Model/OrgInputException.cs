namespace WxQms.Domain.Model;

/// <summary>A form or body with bad fields: each field's error in Chinese. The console re-renders the form with them; the JSON routes answer 400 <c>request.invalid</c>.</summary>
public sealed class OrgInputException(IReadOnlyDictionary<string, string> errors) : Exception(string.Join("；", errors.Values))
{
    public IReadOnlyDictionary<string, string> Errors { get; } = errors;
}
