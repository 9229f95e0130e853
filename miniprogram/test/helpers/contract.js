// Every mocked Api response (and every JSON request the pages send) is checked against the Api's
// OpenAPI document as committed in test/contract/openapi.json, or, for routes the Api does not serve
// yet, against the hand-written test/contract/pending.json. A field the schema does not know, a
// missing required field, a wrong type or enum value fails the test, so a mock cannot drift from the
// Api, and a contract change (refreshed by WxQms.Tests' MiniProgramContractTests) breaks the tests
// whose mocks no longer fit.
const fs = require('fs');
const path = require('path');

const DIR = path.join(__dirname, '../contract');
const served = JSON.parse(fs.readFileSync(path.join(DIR, 'openapi.json'), 'utf8'));
const pending = JSON.parse(fs.readFileSync(path.join(DIR, 'pending.json'), 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

const schemas = Object.assign({}, pending.components.schemas, served.components.schemas);

function routesOf(doc, origin) {
  const out = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      if (!item[method]) continue;
      const names = [];
      const source = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{(\w+)\\\}/g, (_m, name) => {
        names.push(name);
        return '([^/]+)';
      });
      out.push({ method: method.toUpperCase(), template, regex: new RegExp(`^${source}$`), op: item[method], origin });
    }
  }
  return out;
}

// Literal paths before templated ones, so /api/mp/tasks/summary is not taken for /api/mp/tasks/{id}.
const ROUTES = routesOf(served, 'openapi.json')
  .concat(routesOf(pending, 'pending.json'))
  .sort((a, b) => (a.template.includes('{') ? 1 : 0) - (b.template.includes('{') ? 1 : 0));

/** 'GET', '/api/mp/tasks/7?x=1' -> the route in the contract, or null. */
function findRoute(method, url) {
  const p = url.split('?')[0];
  return ROUTES.find((r) => r.method === method && r.regex.test(p)) || null;
}

function typeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Errors of `value` against an OpenAPI 3.1 schema (the subset ASP.NET Core emits). */
function validate(schema, value, at = '$') {
  if (!schema || Object.keys(schema).length === 0) return [];
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    if (!schemas[name]) return [`${at}: unknown schema ${name}`];
    return validate(schemas[name], value, at);
  }
  if (schema.oneOf || schema.anyOf) {
    const options = schema.oneOf || schema.anyOf;
    const results = options.map((s) => validate(s, value, at));
    return results.some((r) => r.length === 0) ? [] : results.reduce((a, b) => (a.length <= b.length ? a : b));
  }
  if (schema.enum) {
    return schema.enum.indexOf(value) >= 0 ? [] : [`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join('|')}`];
  }
  const errors = [];
  if (schema.type) {
    const allowed = [].concat(schema.type);
    const actual = typeOf(value);
    const ok = allowed.indexOf(actual) >= 0 || (actual === 'integer' && allowed.indexOf('number') >= 0);
    if (!ok) return [`${at}: expected ${allowed.join('|')}, got ${actual} ${JSON.stringify(value)}`];
  }
  if (schema.format === 'date-time' && typeof value === 'string' && isNaN(Date.parse(value))) {
    errors.push(`${at}: "${value}" is not a date-time`);
  }
  if (schema.format === 'date' && typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    errors.push(`${at}: "${value}" is not a date (yyyy-MM-dd)`);
  }
  if (typeOf(value) === 'object' && (schema.properties || schema.type === 'object')) {
    const props = schema.properties || {};
    for (const key of schema.required || []) {
      if (!(key in value)) errors.push(`${at}: missing required field "${key}"`);
    }
    for (const key of Object.keys(value)) {
      if (props[key]) errors.push(...validate(props[key], value[key], `${at}.${key}`));
      else if (!schema.additionalProperties) errors.push(`${at}: field "${key}" is not in the schema`);
      // A map ({ "pending": 3 }): every value meets the additionalProperties schema.
      else if (typeof schema.additionalProperties === 'object') errors.push(...validate(schema.additionalProperties, value[key], `${at}.${key}`));
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => errors.push(...validate(schema.items, item, `${at}[${i}]`)));
  }
  return errors;
}

function jsonSchemaOf(content) {
  return content && content['application/json'] ? content['application/json'].schema : null;
}

/**
 * Checks a mocked exchange; returns a list of problems (empty when it fits the contract).
 * @param {{ method: string, url: string, body?: any, statusCode: number, data: any, multipart?: boolean }} x
 */
function check(x) {
  const route = findRoute(x.method, x.url);
  const name = `${x.method} ${x.url.split('?')[0]}`;
  if (!route) return [`${name}: no such route in test/contract/openapi.json or pending.json`];
  const key = `${route.method} ${route.template}`;
  const problems = [];

  const query = x.url.split('?')[1];
  if (query) {
    const known = (route.op.parameters || []).filter((p) => p.in === 'query').map((p) => p.name)
      .concat((pending['x-pending-parameters'] || {})[key] || []);
    for (const pair of query.split('&')) {
      const param = decodeURIComponent(pair.split('=')[0]);
      if (known.indexOf(param) < 0) problems.push(`${key}: query parameter "${param}" is not in the contract`);
    }
  }

  if (!x.multipart && x.body !== undefined) {
    const schema = ((pending['x-pending-request-bodies'] || {})[key]) || (route.op.requestBody && jsonSchemaOf(route.op.requestBody.content));
    if (schema) problems.push(...validate(schema, x.body, 'request').map((e) => `${key}: ${e}`));
  }

  const responses = route.op.responses || {};
  if (x.statusCode >= 200 && x.statusCode < 300) {
    const spec = responses[String(x.statusCode)];
    if (!spec) {
      problems.push(`${key}: the contract has no ${x.statusCode} response (it has ${Object.keys(responses).join(', ')})`);
    } else {
      const schema = jsonSchemaOf(spec.content);
      if (schema) problems.push(...validate(schema, x.data, 'response').map((e) => `${key}: ${e}`));
    }
  } else if (x.data !== undefined && x.data !== '') {
    problems.push(...validate({ $ref: '#/components/schemas/ProblemDetails' }, x.data, 'problem').map((e) => `${key}: ${e}`));
  }
  return problems;
}

module.exports = { check, validate, findRoute, served, pending, ROUTES };
