"""Forms of the repeating-invoice pages. They validate input; exports.repeating saves."""

from decimal import Decimal

from django import forms

from exports import repeating
from exports.models import Customer, Project
from exports.repeating_models import Frequency
from tenants.models import Department

DATE_INPUTS = ["%d.%m.%Y", "%Y-%m-%d"]


class AgreementForm(forms.Form):
    order_id = forms.CharField(max_length=50, label="Order id")
    customer = forms.ModelChoiceField(queryset=Customer.objects.none())
    payment_days = forms.IntegerField(min_value=0, max_value=32767, required=False, label="Payment days")
    our_reference = forms.RegexField(r"^\d*$", max_length=20, required=False, label="Our reference (employee id)",
                                     error_messages={"invalid": "The employee id in 24SevenOffice, a number."})
    currency = forms.RegexField(r"^[A-Za-z]{3}$", required=False, error_messages={"invalid": "A code such as NOK."})
    type_of_sale = forms.IntegerField(min_value=0, required=False, label="Type of sale (type group id)",
                                      help_text="Empty: credit sale, as 24SevenOffice does.")
    department = forms.ModelChoiceField(queryset=Department.objects.none(), required=False)
    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False)
    customer_reference = forms.CharField(max_length=100, required=False, label="Customer reference")
    invoice_title = forms.CharField(max_length=200, required=False, label="Invoice title")
    invoice_text = forms.CharField(max_length=750, required=False, label="Invoice text",
                                   widget=forms.Textarea(attrs={"rows": 2}))
    delivery_name = forms.CharField(max_length=200, required=False, label="Delivery name")
    delivery_address = forms.CharField(max_length=200, required=False, label="Address")
    delivery_zipcode = forms.CharField(max_length=20, required=False, label="Zip code")
    delivery_ziparea = forms.CharField(max_length=100, required=False, label="Zip area")
    delivery_city = forms.CharField(max_length=100, required=False, label="City")
    delivery_state = forms.CharField(max_length=100, required=False, label="State")
    delivery_country = forms.CharField(max_length=100, required=False, label="Country")
    delivery_phone = forms.CharField(max_length=50, required=False, label="Phone")
    delivery_alternative = forms.CharField(max_length=200, required=False, label="Alternative")

    def __init__(self, *args, tenant, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(tenant=tenant).order_by("name")
        self.fields["department"].queryset = Department.objects.filter(tenant=tenant)
        self.fields["project"].queryset = Project.objects.filter(tenant=tenant)
        if existing is not None:  # the order id names the agreement; another id is another agreement
            self.fields["order_id"].disabled = True

    def header(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("customer", "department", "project"):
            record = data.pop(name)
            data[f"{name}_id"] = record.pk if record else None
        data["currency"] = data["currency"].upper()
        return data


class LineForm(forms.Form):
    product_number = forms.CharField(max_length=100, required=False, label="Product no.")
    product_id = forms.IntegerField(min_value=1, required=False, label="Product id")
    name = forms.CharField(max_length=125)
    quantity = forms.DecimalField(max_digits=14, decimal_places=4)
    price = forms.DecimalField(max_digits=14, decimal_places=2, required=False, label="Price excl. VAT")
    discount = forms.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
                                  label="Discount %")
    price_is_fixed = forms.BooleanField(required=False, label="Fixed price")
    next_date = forms.DateField(input_formats=DATE_INPUTS, label="Next date",
                                widget=forms.DateInput(format="%d.%m.%Y", attrs={"placeholder": "dd.mm.yyyy"}))
    factor = forms.IntegerField(min_value=1, initial=1, required=False)
    frequency = forms.TypedChoiceField(choices=Frequency.choices, coerce=int)
    type_of_sale = forms.IntegerField(min_value=0, required=False, label="Type of sale")

    def has_changed(self):
        # An extra line counts once something of its own is typed in; its preset factor and
        # frequency alone do not make it a line.
        return any(self.data.get(self.add_prefix(name), "").strip() for name in FILLED) or (
            self.initial and super().has_changed())

    def line(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("DELETE", None)
        data["discount"] = data["discount"] if data["discount"] is not None else Decimal("0")
        data["factor"] = data["factor"] or 1
        return data


FILLED = ("name", "quantity", "product_number", "product_id", "price", "next_date")
LineFormSet = forms.formset_factory(LineForm, extra=1, can_delete=True)


def initial_of(agreement) -> tuple[dict, list[dict]]:
    spec = repeating.spec_of(agreement)
    header = {name: spec[name] for name in repeating.HEADER_FIELDS if not name.endswith("_id")}
    header.update(order_id=agreement.order_id, customer=agreement.customer_id, department=agreement.department_id,
                  project=agreement.project_id)
    lines = [{k: v for k, v in line.items() if k != "position"} for line in spec["lines"]]
    return header, lines
