"""The 24SevenOffice SOAP contract the sandbox speaks: one ``Service`` per vendor service.

Only the operations the hub uses are described, but every type they touch is complete, with
its elements in the vendor's sequence order, so the generated WSDLs are faithful subsets of
the vendor's and serialized responses validate against the vendor schema. Field notation:
see ``schema.Field.parse``.
"""

from .schema import ACCOUNTING_NS, WEBSERVICES_NS, Service, enum, operations, types

# Shared by several services with identical definitions.
_COMMON_TYPES = {
    "Address": "Street string, State string, PostalCode string, PostalArea string, Name string, City string, "
    "Country string",
    "Addresses": "Post Address, Delivery Address, Visit Address, Invoice Address",
    "PhoneNumber": "Description string, Value string",
    "PhoneNumbers": "Home PhoneNumber, Fax PhoneNumber, Mobile PhoneNumber, Primary PhoneNumber, Work PhoneNumber",
    "EmailAddress": "Description string, Name string, Value string",
    "EmailAddresses": "Home EmailAddress, Invoice EmailAddress, Primary EmailAddress, Work EmailAddress, "
    "Alternative EmailAddress",
    "APIException": "Type string, Message string, StackTrace string",
    "ArrayOfInt": "int int*",
    "ArrayOfString": "string string*?",
}


def common(*names: str) -> dict[str, str]:
    return {name: _COMMON_TYPES[name] for name in names}


# ISO 4217 codes of CompanyService's CurrencyType enumeration, in the vendor's order ("LOCAL" first).
CURRENCY_CODES = (
    "LOCAL AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP "
    "BYN BYR BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EEK EGP ERN ETB "
    "EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES "
    "KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LTL LVL LYD MAD MDL MGA MKD MMK MNT MOP MRO MTL MUR "
    "MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR "
    "SBD SCR SDG SEK SGD SHP SKK SLL SOS SRD STD SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU "
    "UZS VEF VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XDR XFU XOF XPD XPF XPT XTS XXX YER ZAR ZMK ZWL ZWD"
)

AUTHENTICATE = Service(
    name="Authenticate",
    host="api",
    path="/authenticate/v001/authenticate.asmx",
    namespace=WEBSERVICES_NS,
    operations=operations(
        Login=("credential Credential", "LoginResult string"),
        HasSession=("", "HasSessionResult boolean!"),
        GetIdentity=("", "GetIdentityResult Identity"),
        GetIdentities=("", "GetIdentitiesResult ArrayOfIdentity"),
        SetIdentityById=("identityId guid!", "SetIdentityByIdResult boolean!"),
        GetIdentitiesWithCredential=("credential Credential", "GetIdentitiesWithCredentialResult ArrayOfIdentity"),
    ),
    types=types(
        Credential="ApplicationId guid!, IdentityId guid, Password string, Username string",
        Identity=(
            "Id guid!, User User, Client Client, IsCurrent boolean!, IsDefault boolean!, "
            "IsProtected boolean!, Servers ArrayOfServer, IsDisabled boolean"
        ),
        User="ContactId int, Id guid, Name string, EmployeeId int",
        Client="Id long!, Name string",
        ArrayOfServer="Server Server*?",
        Server="Id int!, Type int!",
        ArrayOfIdentity="Identity Identity*?",
    ),
)

INVOICE = Service(
    name="InvoiceService",
    host="api",
    path="/Economy/InvoiceOrder/V001/InvoiceService.asmx",
    namespace=WEBSERVICES_NS,
    operations=operations(
        SaveInvoices=("invoices ArrayOfInvoiceOrder", "SaveInvoicesResult ArrayOfInvoiceOrder"),
        GetInvoices=(
            "searchParams InvoiceSearchParameters, invoiceReturnProperties ArrayOfString, rowReturnProperties ArrayOfString",
            "GetInvoicesResult ArrayOfInvoiceOrder",
        ),
        GetOrderSyncList=("syncParams InvoiceSyncParameters", "GetOrderSyncListResult ArrayOfInt"),
        UpdateInvoices=("invoices ArrayOfInvoiceOrder", "UpdateInvoicesResult ArrayOfInvoiceOrder"),
        GetInvoiceDocument=("Parameters InvoiceDocumentSearchParameters", "GetInvoiceDocumentResult base64Binary"),
    ),
    types=types(
        **common("Address", "Addresses", "APIException", "ArrayOfInt", "ArrayOfString"),
        ArrayOfInvoiceOrder="InvoiceOrder InvoiceOrder*?",
        InvoiceOrder=(
            "OrderId int, CustomerId int, CustomerName string, CustomerDeliveryName string, "
            "CustomerDeliveryPhone string, Addresses Addresses, OrderStatus OrderSlipStateType, "
            "InvoiceId int, DateOrdered dateTime, DateInvoiced dateTime, DateChanged dateTime, "
            "PaymentTime int, CustomerReferenceNo string, ProjectId int, OurReference int, "
            "IncludeVAT boolean!?, YourReference string, OrderTotalIncVat decimal, OrderTotalVat decimal, "
            "InvoiceTitle string, InvoiceText string, Paid dateTime, OCR string, CustomerOrgNo string, "
            "Currency Currency, PaymentMethodId int, PaymentAmount decimal, ProductionManagerId int, "
            "SalesOpportunityId int, TypeOfSaleId int, Distributor Distributor, "
            "DistributionMethod DistributionMethod, DepartmentId int, ExternalStatus int, "
            "InvoiceEmailAddress string, InvoiceRows ArrayOfInvoiceRow, APIException APIException, "
            "ProductionNumber string, DeliveryDate dateTime, ReferenceInvoiceId int, ReferenceOrderId int, "
            "ReferenceNumber string, SkipStock boolean, AccrualDate dateTime, AccrualLength int, "
            "RoundFactor decimal, InvoiceTemplateId guid, VippsNumber string, DeliveryMethod DeliveryMethod, "
            "DeliveryAlternative string, SendToFactoring boolean?, Commission decimal, "
            "UserDefinedDimensions ArrayOfUserDefinedDimension, GLNNumber string, CustomerDeliveryId int"
        ),
        OrderSlipStateType=enum(
            "None Offer Pack Invoiced Web Repeating CollectingOrder Return Distribution Rest ForInvoicing "
            "OvertimeRent Confirmed OrderState_Sent Production PaymentReminder OnAccount Lending "
            "InvoicedCashAccount InvoicedPack Inactive Hours OrderState_SuperStore Draft"
        ),
        Currency="Rate decimal, Unit short, Symbol string",
        Distributor=enum("Default Manual Auto"),
        DistributionMethod=enum("Unchanged Print EMail ElectronicInvoice"),
        ArrayOfInvoiceRow="InvoiceRow InvoiceRow*?",
        InvoiceRow=(
            "ProductId int, RowId int, VatRate decimal, Price decimal, Name string, DiscountRate decimal, "
            "Quantity decimal, QuantityDelivered decimal, QuantityOrdered decimal, QuantityRest decimal, "
            "Cost decimal, ChangeState ChangeState, TypeGroupId int, SequenceNumber short, Hidden boolean, "
            "Type RowType, InPrice decimal, AccrualDate dateTime, AccrualLength int, "
            "AccountProject boolean?, ProjectId int, DepartmentId int, ProductNo string, "
            "TaxSettings TaxSettings, UserDefinedDimensions ArrayOfUserDefinedDimension, "
            "SerialNumber string"
        ),
        ChangeState=enum("None Add Edit Delete"),
        RowType=enum("Normal Text TextBold"),
        TaxSettings="TaxAccount int, TaxCode int, TaxRate decimal",
        ArrayOfUserDefinedDimension="UserDefinedDimension UserDefinedDimension*?",
        UserDefinedDimension="TypeId int, Name string, Value string",
        DeliveryMethod="Id int, Description string",
        InvoiceSearchParameters=(
            "CustomerIds ArrayOfInt, ChangedAfter dateTime, OrderStates ArrayOfOrderSlipStateType, "
            "InvoiceIds ArrayOfInt, OrderIds ArrayOfInt, ExternalStatus ArrayOfInt"
        ),
        ArrayOfOrderSlipStateType="OrderSlipStateType OrderSlipStateType*",
        InvoiceSyncParameters="ChangedAfter dateTime, RegisteredAfter dateTime!",
        InvoiceDocumentSearchParameters="InvoiceId int!, TemplateId guid",
    ),
)

COMPANY = Service(
    name="CompanyService",
    host="api",
    path="/CRM/Company/V001/CompanyService.asmx",
    namespace=WEBSERVICES_NS,
    operations=operations(
        SaveCompanies=("companies ArrayOfCompany", "SaveCompaniesResult ArrayOfCompany"),
        GetCompanies=(
            "searchParams CompanySearchParameters, returnProperties ArrayOfString",
            "GetCompaniesResult ArrayOfCompany",
        ),
        GetCompanySyncList=(
            "syncSearchParameters SyncSearchParameters",
            "GetCompanySyncListResult PageOfSyncCompany",
        ),
    ),
    types=types(
        **common(
            "Address", "Addresses", "PhoneNumber", "PhoneNumbers",
            "EmailAddress", "EmailAddresses", "APIException", "ArrayOfInt", "ArrayOfString",
        ),
        ArrayOfCompany="Company Company*?",
        Company=(
            "APIException APIException, Id int, ExternalId string, OrganizationNumber string, Name string, "
            "FirstName string, NickName string, Addresses Addresses, PhoneNumbers PhoneNumbers, "
            "EmailAddresses EmailAddresses, Url string, Country string, Note string, InvoiceLanguage string, "
            "Type CompanyType, Username string, Password string, IncorporationDate dateTime, "
            "DateCreated dateTime, Status int, PriceList int, Owner int, BankAccountNo string, "
            "BankAccountType string, BankAccountCountry string, BankAccountBic string, "
            "TermsOfDeliveryId int, AccountDebit short, AccountCredit short, Discount decimal, "
            "TypeGroup int, ShareCapital decimal, NumberOfEmployees int, Turnover decimal, Profit decimal, "
            "IndustryId int, MemberNo int, DateChanged dateTime, BlockInvoice boolean, "
            "Relations ArrayOfRelation, Maps ArrayOfCompanyMap, DistributionMethod DistributionMethod, "
            "CurrencyId CurrencyType, PaymentTime short, GlnNumber string, Factoring boolean?, "
            "LedgerCustomerAccount short, LedgerSupplierAccount short, VatNumber string, Private boolean?, "
            "ExplicitlySpecifyNewCompanyId boolean?"
        ),
        CompanyType=enum("None Lead Consumer Business Supplier"),
        ArrayOfRelation="Relation Relation*?",
        Relation=(
            "ContactId int, CompanyId int, FirstName string, LastName string, Role string, RoleId int, "
            "PhoneNumbers PhoneNumbers, EmailAddresses EmailAddresses, Fax string"
        ),
        ArrayOfCompanyMap="CompanyMap CompanyMap*?",
        CompanyMap="MapType int!, ExternalId string, CompanyId int!",
        DistributionMethod=enum("Unchanged Print EMail ElectronicInvoice Default"),
        CurrencyType=enum(CURRENCY_CODES),
        CompanySearchParameters=(
            "ExternalId string, CompanyId int, CompanyIds ArrayOfInt, CompanyName string, "
            "ChangedAfter dateTime, CompanyEmail string, CompanyPhone string, OrganizationNumber string"
        ),
        SyncSearchParameters="Page int, Active boolean!?, ChangedAfter dateTime, RegisteredAfter dateTime",
        PageOfSyncCompany=(
            "CurrentPage long!, TotalPages long!, TotalItems long!, ItemsPerPage long!, "
            "Items ArrayOfSyncCompany, Context anyType"
        ),
        ArrayOfSyncCompany="SyncCompany SyncCompany*?",
        SyncCompany=(
            "CompanyId int, ExternalId string, DateChanged dateTime, DateRegistered dateTime!, "
            "Active boolean!"
        ),
    ),
)

PRODUCT = Service(
    name="ProductService",
    host="api",
    path="/Logistics/Product/V001/ProductService.asmx",
    namespace=WEBSERVICES_NS,
    operations=operations(
        GetProducts=(
            "searchParams ProductSearchParameters, returnProperties ArrayOfString",
            "GetProductsResult ArrayOfProduct",
        ),
        SaveProducts=("products ArrayOfProduct", "SaveProductsResult ArrayOfProduct"),
        GetCategories=("returnProperties ArrayOfString", "GetCategoriesResult ArrayOfCategory"),
        SaveCategories=("categories ArrayOfCategory", "SaveCategoriesResult ArrayOfCategory"),
    ),
    types=types(
        **common("APIException", "ArrayOfInt", "ArrayOfString"),
        ProductSearchParameters=(
            "Id int, CategoryId int, No string, EAN1 string, Name string, Price decimal, "
            "DateChanged dateTime, ProductIds ArrayOfInt"
        ),
        ArrayOfProduct="Product Product*?",
        Product=(
            "CashPriceIncTax double, WebPrice decimal, SupplierId int, Id int, Name string, TaxRate decimal, "
            "Stock decimal, StatusId int, CategoryId int, PriceGroupID int, InPrice decimal, "
            "Description string, DescriptionLong string, Cost decimal, EAN1 string, Price decimal, "
            "No string, DateChanged dateTime, APIException APIException, Weight decimal, "
            "MinimumStock decimal, OrderProposal decimal, StockLocation string, SupplierProductCode string, "
            "SupplierProductName string, Web boolean?, ProductCode string, StockControlled boolean?, "
            "NewOffer boolean?, NewProduct boolean?"
        ),
        ArrayOfCategory="Category Category*?",
        Category="Id int, Name string, No string, ParentId int, APIException APIException",
    ),
)

PROJECT = Service(
    name="ProjectService",
    host="webservices",
    path="/Project/V001/ProjectService.asmx",
    namespace=WEBSERVICES_NS,
    operations=operations(
        SaveProject=("project Project", "SaveProjectResult int!"),
        GetProjectList=("Ps ProjectSearch", "GetProjectListResult ArrayOfProject"),
        GetProjectsDetailed=("Ps ProjectSearch", "GetProjectsDetailedResult ArrayOfProject"),
        GetSingleProject=("projectId int!", "GetSingleProjectResult Project"),
    ),
    types=types(
        **common("ArrayOfInt"),
        Project=(
            "Id int, Enabled boolean, Name string, RawName string, NameDisplay ProjectNameType!, "
            "QuickListed boolean, DateChanged dateTime, DateStart dateTime, DateStop dateTime, "
            "DateRegistered dateTime, CustomerId int, CustomerName string, InvoiceTemplateId string, "
            "OrderReferenceNumber string, DepartmentId int?, CustomerReference string, Owner int, "
            "Pipeline int, TypeId int, TypeName string, StatusId int, StatusName string, "
            "NeedApproval TriState, MultiCustomer boolean, Description string, WorkTypeId int, "
            "WorkTypeName string, TimeReg TimeRegType!, Version short, IsFoldersAdded TriState, "
            "OverrideWorkTypeTask TriState, Participants ArrayOfInt, BudgetHourCost decimal?, "
            "BudgetHour decimal?, FixedPrice boolean?, Budget int?, UseProjectOwnerAsOurReference boolean?"
        ),
        ProjectNameType=enum("Plain Company_Project Project_Company"),
        TriState=enum("none True False"),
        TimeRegType=enum("WorkType Task"),
        ProjectSearch=(
            "ProjectIds ArrayOfInt, MyProjects boolean, AllOpenProjects boolean, CustomerId int, "
            "Search string, ChangedAfter dateTime, StartedAfter dateTime, StartedBefore dateTime"
        ),
        ArrayOfProject="Project Project*?",
    ),
)

ACCOUNT = Service(
    name="AccountService",
    host="api",
    path="/Economy/Account/V004/Accountservice.asmx",
    namespace=WEBSERVICES_NS,
    operations=operations(
        GetAccountList=("", "GetAccountListResult ArrayOfAccountData"),
        GetTaxCodeList=("", "GetTaxCodeListResult ArrayOfTaxCodeElement"),
        GetTypeList=("", "GetTypeListResult ArrayOfTypeData"),
        GetEntryId=("argEntryId EntryId", "GetEntryIdResult EntryId"),
        SaveBundleList=("BundleList BundleList", "SaveBundleListResult SaveResponse"),
    ),
    types=types(
        **common("ArrayOfString"),
        ArrayOfAccountData="AccountData AccountData*?",
        AccountData="AccountId int, AccountNo short, AccountName string, AccountTax int, TaxNo int",
        ArrayOfTaxCodeElement="TaxCodeElement TaxCodeElement*?",
        TaxCodeElement="TaxId int!, TaxNo string, TaxName string, TaxRate decimal!, AccountNo short?",
        ArrayOfTypeData="TypeData TypeData*?",
        TypeData="TypeId int!, Title string, EntrySeriesId int!, TypeNo int!",
        EntryId="Date dateTime!, SortNo int!, EntryNo int!",
        BundleList=(
            "Bundles ArrayOfBundle, AllowDifference boolean, DirectLedger boolean, SaveOption unsignedByte, "
            "DefaultCustomerId int, IgnoreWarnings ArrayOfString"
        ),
        ArrayOfBundle="Bundle Bundle*?",
        Bundle=(
            "YearId int, Vouchers ArrayOfVoucher, Sort int, Name string, BundleDirectAccounting boolean, "
            "UseAutoBaseRate boolean"
        ),
        ArrayOfVoucher="Voucher Voucher*?",
        Voucher="TransactionNo int!, Entries ArrayOfEntry, Sort int!, DifferenceOptions DifferenceOptions",
        ArrayOfEntry="Entry Entry*?",
        Entry=(
            "SequenceId decimal, CustomerId int, AccountNo int, Date dateTime!, DueDate dateTime, "
            "Amount decimal, VatAmount decimal, CurrencyId string, BaseRate decimal, CurrencyRate decimal, "
            "CurrencyUnit short, DepartmentId int, ProjectId int, "
            "UserDefinedDimensions ArrayOfUserDefinedDimension, InvoiceReferenceNo string, "
            "InvoiceOcr string, TaxNo string, PeriodDate dateTime, Comment string, StampNo int, "
            "BankAccountNo string, LinkId guid, Links ArrayOfLinkModel"
        ),
        ArrayOfUserDefinedDimension="UserDefinedDimension UserDefinedDimension*?",
        UserDefinedDimension="Type int, Value string",
        ArrayOfLinkModel="LinkModel LinkModel*?",
        LinkModel="LineId guid, LinkId guid",
        DifferenceOptions=(
            "Threshold decimal!, AccountId int!, DueDate dateTime!, Date dateTime!, CurrencyId int!, "
            "CurrencyUnit short!, CurrencyRate decimal!, Comment string, CustomerId int!, Period short!, "
            "LinkId guid!, InvoiceOcr string, DepartmentId int!, ProjectId int!, BankAccountNo string"
        ),
        SaveResponse="Type ResponsType!, Description string",
        ResponsType=enum("Ok DuplicateData DataAlreadySaved NotAuthenticated SystemError Exception NotSaved"),
    ),
)

TRANSACTION = Service(
    name="TransactionService",
    host="api",
    path="/Economy/Accounting/V001/TransactionService.asmx",
    namespace=ACCOUNTING_NS,
    operations=operations(
        GetTransactions=("searchParams TransactionSearchParameters", "GetTransactionsResult ArrayOfTransaction"),
        GetFiscalYears=("", "GetFiscalYearsResult ArrayOfFiscalYear"),
        GetTransactionTypes=("", "GetTransactionTypesResult ArrayOfTransactionType"),
    ),
    types=types(
        TransactionSearchParameters=(
            "DateSearchParameters DateSearchParameters, ShowOpenEntries boolean?, LinkId int, "
            "DateStart dateTime, DateEnd dateTime, ProjectId int, CustomerId int, DepartmentId int, "
            "AccountNoStart short, AccountNoEnd short, TransactionNoStart int, TransactionNoEnd int, "
            "TransactionTypeId int, SystemType TransactionSystemType!?, RegisteredAfter dateTime, "
            "HasInvoiceId boolean!?, InvoiceNo string, VatCode short?"
        ),
        DateSearchParameters=enum("EntryDate DateChangedUTC"),
        TransactionSystemType=enum(
            "InvoiceCustomer CreditnoteCustomer DifferenceOutbound Disbursment InvoiceSupplier "
            "CreditnoteSupplier Payment DifferenceInbound Miscellaneous CashSale ReminderFee ReminderNote"
        ),
        ArrayOfTransaction="Transaction Transaction*?",
        Transaction=(
            "Date dateTime, AccountNo short, Currency string, CurrencyRate decimal, CurrencyUnit short, "
            "Amount decimal, StampNo int, Period unsignedByte, TransactionTypeId int, Comment string, "
            "TransactionNo int, VatCode short, Id guid, LinkId int, InvoiceNo string, SequenceNo short, "
            "SystemType TransactionSystemType, DueDate dateTime, Dimensions ArrayOfDimension, "
            "RegistrationDate dateTime, DateChanged dateTime, Hidden boolean!, Open boolean!, OCR string, "
            "VatDividend decimal, HasVatDividend boolean!, PeriodDate date"
        ),
        ArrayOfDimension="Dimension Dimension*?",
        Dimension="Type DimensionType, Name string, Value string, Percent decimal, TypeId int",
        DimensionType=enum(
            "None Project Department Employee Product Customer CustomerOrderSlip SupplierOrderSlip "
            "UserDefined"
        ),
        ArrayOfFiscalYear="FiscalYear FiscalYear*?",
        FiscalYear="Id guid!, StartingDate dateTime!, EndingDate dateTime!, IsLocked boolean!",
        ArrayOfTransactionType="TransactionType TransactionType*?",
        TransactionType="Turnover boolean!, Title string, No int!, Id int!",
    ),
)

ATTACHMENT = Service(
    name="AttachmentService",
    host="webservices",
    path="/Economy/Accounting/Accounting_V001/AttachmentService.asmx",
    namespace=ACCOUNTING_NS,
    operations=operations(
        GetFileInfo=("parameters FileSearchParameters", "GetFileInfoResult ArrayOfImageFile"),
        GetSize=("file ImageFile", "GetSizeResult long!"),
        DownloadChunk=("file ImageFile, offset long!, bufferSize int!", "DownloadChunkResult base64Binary"),
        GetMaxRequestLength=("", "GetMaxRequestLengthResult long!"),
    ),
    types=types(
        **common("ArrayOfInt"),
        FileSearchParameters=(
            "StampNo ArrayOfInt, FileId ArrayOfInt, AttachmentRegisteredAfter dateTime, "
            "AttachmentChangedAfter dateTime, HasStampNo boolean!?, FileApproved boolean!?, "
            "AttachmentStatus ArrayOfFlagType"
        ),
        ArrayOfFlagType="FlagType FlagType*",
        FlagType=enum("None Assigned Approved Declined Archived Distributed PrepostedInJournal PostedInJournal"),
        ArrayOfImageFile="ImageFile ImageFile*?",
        ImageFile=(
            "Id int!, Type ImageType!, StampNo int!, StampMeta ArrayOfKeyValuePair, "
            "FrameInfo ArrayOfImageFrameInfo, ContactId ArrayOfInt"
        ),
        ImageType=enum("Unknown Wmf Png Tiff Pdf Bmp Gif Jpeg"),
        ArrayOfKeyValuePair="KeyValuePair KeyValuePair*",
        KeyValuePair="Key string, Value string",
        ArrayOfImageFrameInfo="ImageFrameInfo ImageFrameInfo*?",
        ImageFrameInfo="Id int!, Uri string, StampNo int!, MetaData ArrayOfKeyValuePair, Status int!",
    ),
)

CLIENT = Service(
    name="ClientService",
    host="api",
    path="/Client/V001/ClientService.asmx",
    namespace=WEBSERVICES_NS,
    operations=operations(
        GetClientInformation=("", "GetClientInformationResult Client"),
        GetDepartmentList=("", "GetDepartmentListResult ArrayOfDepartment"),
        GetVatTypeList=("", "GetVatTypeListResult ArrayOfVatType"),
        GetTypeGroupList=("module TypeGroupModule!", "GetTypeGroupListResult ArrayOfAccountingGroup"),
        GetCurrencyList=("", "GetCurrencyListResult ArrayOfCurrency"),
        GetUsers=("", "GetUsersResult ArrayOfUser"),
    ),
    types=types(
        **common("Address", "Addresses", "PhoneNumber", "PhoneNumbers", "EmailAddress", "EmailAddresses"),
        Client=(
            "AddressList Addresses, Country string, EmailAddressList EmailAddresses, "
            "FactoringClientNo string, FactoringText string, FaxNumberList ArrayOfFaxNumber, "
            "IsUsingFactoring boolean!, Name string, PhoneNumberList PhoneNumbers, ReminderDays int!, "
            "ReminderDays2 int!, ReminderDays3 int!, UserId long!, BankAccount string, IBAN string, "
            "OrganizationNumber string, Swift string, ResellerId long, ResellerName string, "
            "DefaultCurrency string"
        ),
        ArrayOfFaxNumber="FaxNumber FaxNumber*?",
        FaxNumber="Type FaxNumberType!, Value string",
        FaxNumberType=enum("Unknown Work"),
        ArrayOfDepartment="Department Department*?",
        Department="Id int!, Name string, Addresses Addresses, Phone string, Fax string, Email string",
        ArrayOfVatType="VatType VatType*?",
        VatType="No int!, Name string, Rate decimal!",
        TypeGroupModule=enum("All Sale Purchase"),
        ArrayOfAccountingGroup="AccountingGroup AccountingGroup*?",
        AccountingGroup="AccountId int!, Id int!, Name string",
        ArrayOfCurrency="Currency Currency*?",
        Currency="Symbol string, Id int!, Rate decimal!, Unit int!",
        ArrayOfUser="User User*?",
        User="ContactId int, Id guid, Name string, EmployeeId int",
    ),
)

SERVICES = (AUTHENTICATE, INVOICE, COMPANY, PRODUCT, PROJECT, ACCOUNT, TRANSACTION, ATTACHMENT, CLIENT)
